/**
 * The refund quote (GET /orders/{id}/refund-quote) as the ticket page shows it before the user
 * confirms: what the cinema keeps (its fee tier), and what comes back: money, points, coupon.
 *
 * The quote covers money; points and the coupon follow the order's price (docs/loyalty.md):
 * spent points come back in full, a coupon comes back when its campaign allows and it is still
 * valid, and points earned by the order are taken back.
 *
 * Snacks alone (docs/snacks.md) have no fee and no deadline: everything paid comes back
 * until they are picked up, so the quote shows no fee line and no "as of" time.
 */
const i18n = require('./i18n')
const { yuan, dayAndClock } = require('./format')
const { isSnacksOnly } = require('./orders')

/** Why the cinema's policy refuses: closed (since when), a premiere, or the service's code. */
function refusalText(quote, locale) {
  const closedAt = dayAndClock(quote.deadline)
  if (quote.refusal === 'refund_closed' && closedAt) {
    return i18n.t('refund_closed_at', { at: closedAt }, locale)
  }
  return i18n.errorMessage({ code: quote.refusal || 'refund_unavailable' }, locale)
}

/** `{refundable, refusal, lines: [{label, value, strong}], note}` for `quote` of `order`. */
function refundQuoteView(quote, order, locale) {
  if (!quote.refundable)
    return { refundable: false, refusal: refusalText(quote, locale), lines: [], note: '' }
  const price = (order && order.price) || {}
  const snacksOnly = Boolean(order) && isSnacksOnly(order)
  const lines = [{ label: '实付金额', value: yuan(quote.paid_fen) }]
  if (!snacksOnly)
    lines.push({
      label: quote.fee_fen ? `退票手续费（${quote.fee_percent}%）` : '退票手续费',
      value: quote.fee_fen ? `-${yuan(quote.fee_fen)}` : '免手续费',
    })
  lines.push({ label: '退回金额', value: yuan(quote.refund_fen), strong: true })
  if (price.points_used) lines.push({ label: '退回积分', value: `${price.points_used}积分` })
  if (price.coupon_fen) lines.push({ label: '优惠券', value: '有效期内且活动允许时退回' })
  const until = snacksOnly ? '' : dayAndClock(quote.deadline)
  const note = until ? `以上按${until}前退票计算，退款原路退回` : '退款原路退回'
  return { refundable: true, refusal: '', lines, note }
}

module.exports = { refundQuoteView }
