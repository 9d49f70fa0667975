/**
 * The stranded-seat rule of lib/seat-rules.js against the cases the server's tests read too
 * (tests/cases/stranded_seats.json: seatcore's pure rule and the engine's Lua script).
 */
const fs = require('fs')
const path = require('path')
const { seatGrid, strandedSeats, strandedRefusal } = require('../../lib/seat-rules')

const SHARED = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', '..', 'tests', 'cases', 'stranded_seats.json'), 'utf8')
)

test.each(SHARED.cases.map((c) => [c.name, c]))('%s', (name, c) => {
  const grid = seatGrid(SHARED.layouts[c.layout])
  expect(strandedSeats(grid, new Set(c.taken), c.selection)).toEqual(c.stranded)
  expect(strandedSeats(grid, c.taken, c.selection)).toEqual(c.stranded)
  if (c.stranded.length) {
    expect(strandedRefusal(c.stranded)).toEqual({
      code: 'stranded_seat',
      message: c.message,
      details: { seats: c.stranded },
    })
  }
})

test('the shared file has cases that strand seats and cases that do not', () => {
  expect(SHARED.cases.filter((c) => c.stranded.length).length).toBeGreaterThan(5)
  expect(SHARED.cases.filter((c) => !c.stranded.length).length).toBeGreaterThan(5)
})

test('outside CommonJS the file sets globalThis.seatRules (how the web page loads it)', () => {
  const source = fs.readFileSync(path.join(__dirname, '..', '..', 'lib', 'seat-rules.js'), 'utf8')
  const scope = {}
  new Function('globalThis', 'module', source)(scope, undefined)
  expect(Object.keys(scope.seatRules)).toEqual(['seatGrid', 'strandedSeats', 'strandedRefusal'])
})
