/**
 * The pickup QR drawn on the phone (lib/qr.js): decoded back with the door scanner's own decoder
 * (the console's vendored jsQR), so what the counter's camera reads is the signed text itself.
 */
const path = require('path')
const { qrMatrix, qrDataUrl } = require('../../lib/qr')

const jsQR = require(path.resolve(__dirname, '../../../web/console/vendor/jsqr/jsQR.js'))

/** The matrix as an RGBA image, `scale` pixels a module, with a quiet zone of 4 modules. */
function toImage(matrix, scale) {
  const side = (matrix.size + 8) * scale
  const data = new Uint8ClampedArray(side * side * 4).fill(255)
  for (let y = 0; y < side; y += 1) {
    for (let x = 0; x < side; x += 1) {
      const row = Math.floor(y / scale) - 4
      const col = Math.floor(x / scale) - 4
      const inside = row >= 0 && col >= 0 && row < matrix.size && col < matrix.size
      if (inside && matrix.dark(row, col)) data.fill(0, (y * side + x) * 4, (y * side + x) * 4 + 3)
    }
  }
  return { data, side }
}

// A pickup's signed text is shaped like a ticket's: payload and Ed25519 signature, base64url.
const SIGNED =
  'SC1.eyJrIjoicDEiLCJjIjoiSzdRMk05IiwibyI6Im8tMjAyNjEyMDQtMSIsImNpIjoxfQ.' +
  'x0f9Qm3PZ8nR2vJk7WbT4sYHcA1uLq6eGd5oNiVt0rXyBzKaM8hUwE3jF2lDpS9gCQ7v4b'

test('the code decodes to the signed text, byte for byte', () => {
  const { data, side } = toImage(qrMatrix(SIGNED), 4)
  const read = jsQR(data, side, side)
  expect(read).not.toBeNull()
  expect(read.data).toBe(SIGNED)
})

test('a different text gives a different code (the control: the decoder reads what is drawn)', () => {
  const { data, side } = toImage(qrMatrix(`${SIGNED}x`), 4)
  expect(jsQR(data, side, side).data).not.toBe(SIGNED)
})

test('the image is a GIF data URL an <image> shows without any download', () => {
  const url = qrDataUrl(SIGNED, 6)
  expect(url).toMatch(/^data:image\/gif;base64,R0lGOD/)
  const gif = Buffer.from(url.split(',')[1], 'base64')
  const width = gif.readUInt16LE(6)
  expect(width).toBe((qrMatrix(SIGNED).size + 8) * 6)
})
