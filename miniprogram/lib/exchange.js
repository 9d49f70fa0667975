/**
 * 改签 (exchange) as the pages explain it: whether a ticketed order may still move to another
 * showtime, the price difference of the seats held for it, and the service's answer in words.
 *
 * The service decides (docs/exchange.md): the same movie, the same cinema unless the cinema
 * allows others, before a cut-off before the ORIGINAL start (default 30 minutes), once per order,
 * the whole order. The client offers it only when it could succeed; refusals still come back as
 * codes (exchange_closed, already_exchanged, seat_count_differs...) shown through i18n.
 */
const config = require('../config')
const { yuan, dayAndClock } = require('./format')

/** The wall-clock time `minutes` before an ISO time, in that time's own zone: "MM-DD HH:MM". */
function clockBefore(iso, minutes) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso)
  if (!m) return ''
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]))
  return dayAndClock(new Date(wall - minutes * 60000).toISOString())
}

/**
 * `{allowed, deadline, exchanged}` for `order` at `now` (ms). An exchanged order carries its old tickets as
 * not live beside the new ones: it has had its one exchange.
 */
function exchangeState(order, now) {
  const startsAt = order.showtime && order.showtime.starts_at
  if (order.status !== 'ticketed' || !startsAt) return { allowed: false, deadline: '' }
  const cutoff = Date.parse(startsAt) - config.exchangeUntilBeforeMin * 60000
  const tickets = order.tickets || []
  const exchanged = tickets.some((t) => !t.live)
  return {
    allowed: !exchanged && tickets.length > 0 && cutoff > now,
    deadline: clockBefore(startsAt, config.exchangeUntilBeforeMin),
    exchanged,
    text: `${clockBefore(startsAt, config.exchangeUntilBeforeMin)}前可改签本片其他场次（限一次）`,
  }
}

/** The money an order holds for its seats: what it paid, less its snacks (they stay as they are). */
function ticketMoneyFen(order) {
  return order.amount_fen - ((order.price && order.price.snacks_fen) || 0)
}

/** The difference before confirming: the new seats' price against the money the seats hold. */
function differenceView(oldFen, newFen) {
  const diff = newFen - oldFen
  let text = '无差价'
  if (diff > 0) text = `需补差价${yuan(diff)}`
  if (diff < 0) text = `退还差价${yuan(-diff)}`
  return { old: yuan(oldFen), fresh: yuan(newFen), diff, text }
}

/**
 * The service's exchange quote in words, before confirming: the difference, the fee (or the
 * member's free exchange and how many are left this month, this one included), what will be paid
 * or come back, and until when the quote's rules hold.
 */
function quoteView(quote) {
  const price = differenceView(quote.old_amount_fen, quote.new_amount_fen)
  let fee = quote.fee_fen ? yuan(quote.fee_fen) : '免手续费'
  if (quote.free_exchange) fee = `会员免费改签（本月剩余${quote.free_exchanges_left}次）`
  let total = { label: '无需补差价', value: yuan(0) }
  if (quote.pay_fen) total = { label: '需支付', value: yuan(quote.pay_fen) }
  if (quote.refund_fen) total = { label: '将退还', value: `${yuan(quote.refund_fen)}（原路退回）` }
  const until = dayAndClock(quote.deadline)
  return Object.assign(price, {
    fee,
    total,
    pay: quote.pay_fen,
    note: until ? `${until}前可改签，以上按当前座位和会员额度计算` : '',
  })
}

/** The service's `exchange` record in words, once done: fee, and money paid or coming back. */
function outcomeLines(exchange) {
  const lines = [{ label: '手续费', value: exchange.fee_fen ? yuan(exchange.fee_fen) : '免手续费' }]
  if (exchange.pay_fen) lines.push({ label: '已补差价', value: yuan(exchange.pay_fen) })
  if (exchange.refund_fen)
    lines.push({ label: '退还差价', value: `${yuan(exchange.refund_fen)}（原路退回）` })
  return lines
}

module.exports = { exchangeState, ticketMoneyFen, differenceView, quoteView, outcomeLines }
