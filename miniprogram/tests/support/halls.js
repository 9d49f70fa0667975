/**
 * Test halls in the service's layout JSON (the same shape seatcore.domain.layout.grid_layout
 * writes): rows nearest the screen first, aisle columns left empty, couple rows in pairs.
 */
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ'

/**
 * A rows x columns hall. `aisles`: column numbers left empty; `coupleRows`: row indexes seated
 * in pairs (zone "couple"); `wheelchair`: [row, col] spaces; `zones`: row index -> zone.
 */
function gridLayout(rows, columns, options) {
  const opts = options || {}
  const aisles = opts.aisles || []
  const coupleRows = opts.coupleRows || []
  const wheelchair = (opts.wheelchair || []).map(([r, c]) => `${r}:${c}`)
  const zones = opts.zones || {}
  const docRows = []
  for (let r = 0; r < rows; r += 1) {
    const label = LETTERS[r]
    const seats = []
    let number = 0
    for (let col = 0; col < columns; col += 1) {
      if (aisles.includes(col)) continue
      number += 1
      const couple = coupleRows.includes(r)
      const seat = {
        id: `${label}-${number}`,
        col,
        number,
        type: wheelchair.includes(`${r}:${col}`) ? 'wheelchair' : 'standard',
        zone: zones[r] || (couple ? 'couple' : 'standard'),
      }
      seats.push(seat)
    }
    if (coupleRows.includes(r)) pairUp(seats)
    docRows.push({ label, seats })
  }
  return { columns, aisles, rows: docRows }
}

function pairUp(seats) {
  let i = 0
  while (i + 1 < seats.length) {
    const left = seats[i]
    const right = seats[i + 1]
    if (right.col === left.col + 1) {
      Object.assign(left, { type: 'couple', pair: right.id })
      Object.assign(right, { type: 'couple', pair: left.id })
      i += 2
    } else {
      i += 1
    }
  }
}

/**
 * The 240-seat hall of the component tests: 12 rows of 20 seats in 22 columns (aisles at columns
 * 4 and 17), a couple row at the back, two wheelchair spaces in front, two premium rows.
 */
function bigHall() {
  return gridLayout(12, 22, {
    aisles: [4, 17],
    coupleRows: [11],
    wheelchair: [
      [0, 0],
      [0, 21],
    ],
    zones: { 5: 'premium', 6: 'premium' },
  })
}

const BIG_HALL_PRICES = { standard: 4500, premium: 6000, couple: 5000 }

/** A snapshot answer of GET /showtimes/{id}/seats for `layout`, every seat free unless `states` says. */
function seatsAnswer(showtimeId, layout, prices, extra) {
  const states = {}
  layout.rows.forEach((row) => row.seats.forEach((seat) => (states[seat.id] = 'free')))
  const more = extra || {}
  return {
    showtime_id: showtimeId,
    seq: more.seq === undefined ? 10 : more.seq,
    epoch: more.epoch || 'e1',
    layout,
    prices,
    states: Object.assign(states, more.states || {}),
    mine: more.mine || [],
    my_hold: more.my_hold || null,
    sales_open: more.sales_open === undefined ? true : more.sales_open,
  }
}

module.exports = { gridLayout, bigHall, BIG_HALL_PRICES, seatsAnswer }
