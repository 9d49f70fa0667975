/**
 * Orders as the pages show them: status in words, what the user may still do (pay, refund),
 * and the refund policy with its deadline.
 *
 * The service's order: `{id, status, reason, reason_text, showtime: {movie_title, cinema_name,
 * hall_name, starts_at}, seats: [{seat, price_fen}], amount_fen, expires_at, tickets: [{code,
 * seat, live, qr_url}], refundable_until}`. Ticketed orders carry their refund deadline
 * (`refundable_until`, from the cinema's policy); only they can be refunded.
 *
 * An order of snacks alone (docs/snacks.md: `kind: "snacks"`, `cinema: {id, name}`, no
 * showtime, seats or tickets) is refundable in full while it is landed (`ticketed`) and its snacks
 * are not picked up (`pickup.picked_up_at`); no showtime, so no deadline.
 */
const config = require('../config')
const i18n = require('./i18n')
const { yuan, dayAndClock, seatIdLabels } = require('./format')

function showtimeFact(order, name) {
  return (order.showtime && order.showtime[name]) || ''
}

/**
 * Snacks alone? The service says so with `kind`; one without the field is recognised by snacks
 * and no showtime.
 */
function isSnacksOnly(order) {
  if (order.kind) return order.kind === 'snacks'
  return !order.showtime && (order.snacks || []).length > 0
}

/** The cinema's name: the order's `cinema`, else the showtime's. */
function cinemaName(order) {
  return (order.cinema && order.cinema.name) || showtimeFact(order, 'cinema_name')
}

/** `{allowed, deadline, text}`: may this order be refunded at `now` (ms), and the policy in words. */
function refundPolicy(order, now, locale) {
  if (isSnacksOnly(order)) {
    const pickedUp = Boolean(order.pickup && order.pickup.picked_up_at)
    const allowed = order.status === 'ticketed' && !pickedUp
    return { allowed, deadline: '', text: i18n.t('snacks_refund_policy', {}, locale) }
  }
  const startsAt = showtimeFact(order, 'starts_at')
  const deadline = order.refundable_until || ''
  let minutes = config.refundUntilBeforeMin
  if (deadline && startsAt) minutes = Math.round((Date.parse(startsAt) - Date.parse(deadline)) / 60000)
  const inTime = !deadline || Date.parse(deadline) > now
  const allowed = order.status === 'ticketed' && inTime
  return { allowed, deadline, text: i18n.t('refund_policy', { minutes }, locale) }
}

/** Why the order left the happy path, in the user's language (the service's words otherwise). */
function reasonText(order, locale) {
  if (!order.reason) return ''
  return i18n.t(`reason_${order.reason}`, {}, locale) || order.reason_text || ''
}

/**
 * Everything a page shows about `order` at time `now` (ms). An order of snacks alone (no
 * showtime, SNACKS_API.md) is titled as such, and "ticketed" reads as paid for it.
 */
function describeOrder(order, now, locale) {
  const status = order.status || ''
  const snacksOnly = isSnacksOnly(order)
  const cinema = cinemaName(order)
  const hall = showtimeFact(order, 'hall_name')
  const statusKey = snacksOnly && status === 'ticketed' ? 'status_paid' : `status_${status}`
  return {
    id: order.id,
    status,
    statusText: i18n.t(statusKey, {}, locale) || status,
    amount: yuan(order.amount_fen),
    snacksOnly,
    snacksText: (order.snacks || []).map((line) => `${line.name}×${line.qty}`).join(' '),
    title: snacksOnly ? i18n.t('snacks_order_title', {}, locale) : showtimeFact(order, 'movie_title'),
    cinema,
    hall,
    place: [cinema, hall].filter(Boolean).join(' '),
    when: dayAndClock(showtimeFact(order, 'starts_at')),
    placedAt: snacksOnly ? dayAndClock(order.created_at) : '',
    seats: seatIdLabels(
      (order.seats || []).map((line) => line.seat),
      locale || i18n.currentLocale()
    ),
    reason: reasonText(order, locale),
    payable: status === 'pending_payment',
    refund: refundPolicy(order, now === undefined ? Date.now() : now, locale),
  }
}

/** Paid as far as the user is concerned: the payment went through. */
function isPaid(order) {
  return ['paid', 'ticketed'].includes(order.status)
}

module.exports = { describeOrder, refundPolicy, isPaid, isSnacksOnly }
