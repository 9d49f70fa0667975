/**
 * Draws lib/seat-view.js's "view from this seat" on a 2D canvas context: the dark hall, the
 * screen as the seat sees it (lit), the tops of the seat backs in front. Only drawing here; what
 * goes where is the pure math of seat-view.js.
 */
function drawSeatView(ctx, view, width, height) {
  ctx.clearRect(0, 0, width, height)
  ctx.fillStyle = '#1c1d22'
  ctx.fillRect(0, 0, width, height)
  const [tl, tr, br, bl] = view.screen
  const glow = ctx.createLinearGradient(0, tl[1], 0, bl[1])
  glow.addColorStop(0, '#f5f7ff')
  glow.addColorStop(1, '#b9c3dd')
  ctx.fillStyle = glow
  ctx.beginPath()
  ctx.moveTo(tl[0], tl[1])
  ctx.lineTo(tr[0], tr[1])
  ctx.lineTo(br[0], br[1])
  ctx.lineTo(bl[0], bl[1])
  ctx.closePath()
  ctx.fill()
  ctx.strokeStyle = '#5a5f6e'
  ctx.lineCap = 'round'
  view.rows.forEach(([x1, y1, x2, y2], i) => {
    // Nearer rows are drawn thicker, as they are.
    ctx.lineWidth = 2 + (4 * (i + 1)) / view.rows.length
    ctx.beginPath()
    ctx.moveTo(x1, y1)
    ctx.lineTo(x2, y2)
    ctx.stroke()
  })
}

module.exports = { drawSeatView }
