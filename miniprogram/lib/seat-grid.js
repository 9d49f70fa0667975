/**
 * The layout JSON turned into what the seat-map template draws: one cell per column of each
 * row (a seat, an aisle or a gap), couple seats marked as the left or right half of a pair,
 * zones numbered for their colour and named with their price for the legend, the blocks of seats
 * for the overview thumbnail, and an index from seat id to its cell for path updates
 * (`rows[r].cells[c].state`), so a live change re-renders one seat, not the hall.
 *
 * fitHall sizes the hall to the phone: every column gets the same cell, as large as lets the
 * whole hall fit the width, so the map opens showing all of it, centred on the screen's centre line.
 */
const { yuan } = require('./format')
const { seatName, zoneName } = require('./seat-labels')

// Zone colour classes in the stylesheet: zone-0 .. zone-5 (then they repeat).
const ZONE_COLOURS = 6
// Sizes in px. A seat cell stays between MIN_CELL_PX (the hall scrolls beyond that) and MAX_CELL_PX.
const MIN_CELL_PX = 9
const MAX_CELL_PX = 34
const LABEL_PX = 18 // the row label strip, mirrored on the right so the seats stay centred
const SIDE_PX = 6
const SCREEN_PX = 30
const BOTTOM_PX = 10

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

/**
 * `{rows, index, zones, blocks, columns}` for `layout`; every seat cell starts with `view(id)`.
 * `options`: `{locale}` ('en', else Chinese).
 */
function buildGrid(layout, prices, view, options) {
  const opts = options || {}
  const zones = zoneIndex(layout)
  const aisles = new Set(layout.aisles || [])
  const index = {}
  const blocks = []
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
        cells.push(seatCell(seat, row.label, byCol, zones, view(seat.id), opts.locale))
        if (byCol[col - 1]) blocks[blocks.length - 1].len += 1
        else blocks.push({ row: r, col, len: 1 })
      } else {
        cells.push({ key: `${row.label}:${col}`, kind: aisles.has(col) ? 'aisle' : 'gap' })
      }
    }
    return { label: row.label, cells }
  })
  const legend = zones.map((zone, i) => ({
    zone,
    name: zoneName(zone, opts.locale),
    colour: `zone-${i % ZONE_COLOURS}`,
    price: prices && prices[zone] !== undefined ? yuan(prices[zone]) : '',
  }))
  return { rows, index, zones: legend, blocks, columns: layout.columns }
}

function seatCell(seat, rowLabel, byCol, zones, state, locale) {
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
    name: seatName(rowLabel, seat.number, locale),
    type: seat.type || 'standard',
    zone: `zone-${zones.indexOf(seat.zone || 'standard') % ZONE_COLOURS}`,
    pair,
    state,
    warn: false,
  }
}

/**
 * The hall's size on a phone `windowWidth` px wide: `{cell, rowHeight, width, height, x, label,
 * side, screen}` in px. The hall's width is `width` and it starts at `x` inside a map as wide as the
 * window, so its centre (the screen's centre line) is the window's centre.
 */
function fitHall(layout, windowWidth) {
  const reserved = 2 * (LABEL_PX + SIDE_PX)
  const fitted = Math.floor((windowWidth - reserved) / layout.columns)
  const cell = Math.max(MIN_CELL_PX, Math.min(MAX_CELL_PX, fitted))
  const rowHeight = Math.round(cell * 1.25)
  const width = layout.columns * cell + reserved
  return {
    cell,
    rowHeight,
    width,
    height: SCREEN_PX + layout.rows.length * rowHeight + BOTTOM_PX,
    x: (windowWidth - width) / 2,
    label: LABEL_PX,
    side: SIDE_PX,
    screen: SCREEN_PX,
  }
}

module.exports = { buildGrid, fitHall }
