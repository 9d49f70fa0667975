/** The layout turned into template rows: aisles, gaps, couple halves, zone colours, the cell index. */
const { buildGrid } = require('../../lib/seat-grid')
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
    { zone: 'vip', colour: 'zone-0', price: '¥80' },
    { zone: 'standard', colour: 'zone-1', price: '¥40' },
  ])
  expect(grid.rows[2].cells[0].zone).toBe('zone-0')
  expect(grid.rows[1].cells[0].state).toBe('sold')
})
