/** "View from this seat": the screen and the rows ahead in perspective, from the hall's layout. */
const { seatView, hallSizes } = require('../../lib/seat-view')
const { gridLayout } = require('../support/halls')

// 12 rows of 21 seats in 21 columns (no aisle): K-11 sits on the centre line.
const HALL = gridLayout(12, 21)
const W = 300
const H = 150

test('from the centre line the screen is drawn symmetric about the canvas centre', () => {
  const view = seatView(HALL, 'K-11', W, H)
  const [tl, tr, br, bl] = view.screen
  expect(tl[0] + tr[0]).toBeCloseTo(W, 0)
  expect(bl[0] + br[0]).toBeCloseTo(W, 0)
  expect(tl[1]).toBeCloseTo(tr[1], 1)
  expect(view.offsetM).toBe(0)
  // Every row in front is there, below the screen, the nearest one lowest yet still on the canvas.
  expect(view.rows).toHaveLength(9)
  expect(view.rows[8][1]).toBeGreaterThan(view.rows[0][1])
  expect(view.rows[0][1]).toBeGreaterThan(bl[1])
  expect(view.rows[8][1]).toBeLessThan(H)
})

test('left of the centre line the screen lies to the right and its near (left) edge looks taller', () => {
  const view = seatView(HALL, 'K-1', W, H)
  const [tl, tr, br, bl] = view.screen
  expect(view.offsetM).toBeLessThan(0)
  expect(bl[1] - tl[1]).toBeGreaterThan(br[1] - tr[1])
  expect((tl[0] + tr[0]) / 2).toBeGreaterThan(W / 2 + 10)
  const mirrored = seatView(HALL, 'K-21', W, H)
  expect(mirrored.offsetM).toBe(-view.offsetM)
  expect(mirrored.screen[1][0]).toBeCloseTo(W - tl[0], 0)
})

test('the screen fills less of the view row by row, further back', () => {
  const angles = ['A-11', 'D-11', 'H-11', 'M-11'].map((id) => seatView(HALL, id, W, H).angleDeg)
  expect(angles).toEqual([...angles].sort((a, b) => b - a))
  expect(new Set(angles).size).toBe(4)
  const front = seatView(HALL, 'A-11', W, H)
  const back = seatView(HALL, 'M-11', W, H)
  expect(front.rows).toEqual([])
  expect(back.distanceM).toBeGreaterThan(front.distanceM)
  expect(front.distanceM).toBeCloseTo(hallSizes(HALL).firstRowM, 0)
  expect(front.screen[1][0] - front.screen[0][0]).toBeGreaterThan(back.screen[1][0] - back.screen[0][0])
})

test('an unknown seat has no view', () => {
  expect(seatView(HALL, 'Z-99', W, H)).toBeNull()
})
