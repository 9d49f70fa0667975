/**
 * The layout JSON turned into what the seat-map template draws: one cell per column of each
 * row (a seat, an aisle or a gap), couple seats marked as the left or right half of a pair,
 * zones numbered for their colour, and an index from seat id to its cell for path updates
 * (`rows[r].cells[c].state`), so a live change re-renders one seat, not the hall.
 */
const { yuan } = require('./format')

// Zone colour classes in the stylesheet: zone-0 .. zone-5 (then they repeat).
const ZONE_COLOURS = 6

function zoneIndex(layout) {
  const zones = []
  layout.rows.forEach((row) =>
    row.seats.forEach((seat) => {
      const zone = seat.zone || 'standard'
      if (zones.indexOf(zone) < 0) zones.push(zone)
    })
  )
  return zones
}

/** `{rows, index, zones, columns}` for `layout`; every seat cell starts with `view(id)`. */
function buildGrid(layout, prices, view) {
  const zones = zoneIndex(layout)
  const aisles = new Set(layout.aisles || [])
  const index = {}
  const rows = layout.rows.map((row, r) => {
    const byCol = {}
    row.seats.forEach((seat) => {
      byCol[seat.col] = seat
    })
    const cells = []
    for (let col = 0; col < layout.columns; col += 1) {
      const seat = byCol[col]
      if (seat) {
        index[seat.id] = [r, cells.length]
        cells.push(seatCell(seat, byCol, zones, view(seat.id)))
      } else {
        cells.push({ key: `${row.label}:${col}`, kind: aisles.has(col) ? 'aisle' : 'gap' })
      }
    }
    return { label: row.label, cells }
  })
  const legend = zones.map((zone, i) => ({
    zone,
    colour: `zone-${i % ZONE_COLOURS}`,
    price: prices && prices[zone] !== undefined ? yuan(prices[zone]) : '',
  }))
  return { rows, index, zones: legend, columns: layout.columns }
}

function seatCell(seat, byCol, zones, state) {
  let pair = ''
  if (seat.pair) {
    const left = byCol[seat.col + 1] && byCol[seat.col + 1].id === seat.pair
    pair = left ? 'left' : 'right'
  }
  return {
    key: seat.id,
    kind: 'seat',
    id: seat.id,
    number: seat.number,
    type: seat.type || 'standard',
    zone: `zone-${zones.indexOf(seat.zone || 'standard') % ZONE_COLOURS}`,
    pair,
    state,
  }
}

module.exports = { buildGrid }
