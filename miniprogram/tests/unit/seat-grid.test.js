/** The layout turned into template rows: aisles, gaps, couple halves, zone colours, the cell index. */
const { buildGrid, fitHall } = require('../../lib/seat-grid')
const { gridLayout } = require('../support/halls')

test('one cell per column with aisles and gaps, and an index to each seat cell', () => {
  const layout = gridLayout(2, 5, { aisles: [2], coupleRows: [1] })
  layout.rows[0].seats = layout.rows[0].seats.filter((s) => s.id !== 'A-4') // a gap at column 4
  const grid = buildGrid(layout, { standard: 3000 }, () => 'free')
  expect(grid.rows[0].cells.map((c) => c.kind)).toEqual(['seat', 'seat', 'aisle', 'seat', 'gap'])
  expect(grid.rows[1].cells.map((c) => c.pair)).toEqual(['left', 'right', undefined, 'left', 'right'])
  expect(grid.index['B-3']).toEqual([1, 3])
  expect(grid.rows[1].cells[3].id).toBe('B-3')
})

test('zones get colours in order of appearance; the legend carries prices', () => {
  const layout = gridLayout(3, 2, { zones: { 0: 'vip', 2: 'vip' } })
  const grid = buildGrid(layout, { vip: 8000, standard: 4000 }, (id) => (id === 'B-1' ? 'sold' : 'free'))
  expect(grid.zones).toEqual([
    { zone: 'vip', name: '贵宾座', colour: 'zone-0', price: '¥80' },
    { zone: 'standard', name: '普通座', colour: 'zone-1', price: '¥40' },
  ])
  expect(grid.rows[0].cells[1].name).toBe('A排2座')
  expect(grid.rows[2].cells[0].zone).toBe('zone-0')
  expect(grid.rows[1].cells[0].state).toBe('sold')
})

test('zone and seat names in English when the phone is', () => {
  const layout = gridLayout(1, 2, { zones: { 0: 'premium' } })
  expect(buildGrid(layout, {}, () => 'free', { locale: 'en' }).zones[0].name).toBe('Premium')
  expect(buildGrid(layout, {}, () => 'free', { locale: 'en' }).rows[0].cells[0].name).toBe('Row A Seat 1')
})

test('blocks of seats for the thumbnail: runs of neighbouring seats in each row', () => {
  const layout = gridLayout(2, 5, { aisles: [2] })
  expect(buildGrid(layout, {}, () => 'free').blocks).toEqual([
    { row: 0, col: 0, len: 2 },
    { row: 0, col: 3, len: 2 },
    { row: 1, col: 0, len: 2 },
    { row: 1, col: 3, len: 2 },
  ])
})

test.each([
  [375, 22],
  [360, 22],
  [375, 8],
  [414, 30],
])('a hall fits a %ipx phone whole and centred (%i columns)', (windowWidth, columns) => {
  const fit = fitHall(gridLayout(10, columns), windowWidth)
  expect(fit.width).toBeLessThanOrEqual(windowWidth)
  expect(fit.x + fit.width / 2).toBeCloseTo(windowWidth / 2, 0)
  expect(fit.width).toBe(columns * fit.cell + 2 * (fit.label + fit.side))
  expect(fit.height).toBe(fit.screen + 10 * fit.rowHeight + 10)
})

test('seats never shrink below a fingertip-friendly minimum: a huge hall scrolls from its centre', () => {
  const fit = fitHall(gridLayout(5, 80), 375)
  expect(fit.cell).toBe(9)
  expect(fit.x + fit.width / 2).toBeCloseTo(375 / 2, 0)
})
