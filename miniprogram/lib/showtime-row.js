/** A showtime as a schedule's row: start and end, hall, language and format, lowest price. */
const { yuan, clock } = require('./format')

function showtimeRow(showtime) {
  return {
    id: showtime.id,
    start: clock(showtime.starts_at),
    end: clock(showtime.ends_at),
    hall: showtime.hall_name,
    version: [showtime.language_name || showtime.language, showtime.format_name || showtime.format]
      .filter(Boolean)
      .join(' '),
    price: yuan(showtime.price_from_fen),
    free: showtime.free_seats,
    open: showtime.sales_open && showtime.status !== 'cancelled',
  }
}

module.exports = { showtimeRow }
