/**
 * The service's price as the checkout pages show it (tickets at pages/order, snacks alone at
 * pages/snacks): the breakdown's lines, and paying part with points. The service prices
 * everything, and a request for points gets exactly that many or a refusal (docs/loyalty.md), so
 * a page first quotes without points to learn the most the order could take (`max_points`) and
 * never asks for more than that or the member's balance.
 */
const { yuan } = require('./format')

/** The price's steps worth showing: each discount taken off the list price (none without seats). */
function breakdownLines(price) {
  if (!price) return []
  const lines = price.list_fen || !price.snacks_fen ? [{ label: '票价', value: yuan(price.list_fen) }] : []
  if (price.member_discount_fen)
    lines.push({ label: '会员价优惠', value: `-${yuan(price.member_discount_fen)}` })
  if (price.coupon_fen) lines.push({ label: '优惠券', value: `-${yuan(price.coupon_fen)}` })
  if (price.points_fen)
    lines.push({ label: `积分抵扣（${price.points_used}积分）`, value: `-${yuan(price.points_fen)}` })
  if (price.snacks_fen) lines.push({ label: '卖品', value: yuan(price.snacks_fen) })
  return lines.length > 1 ? lines : []
}

/** The points an order may take: its quote's `max_points`, never past the member's `balance`. */
function usablePoints(maxPoints, balance) {
  return Math.max(0, Math.min(maxPoints || 0, balance || 0))
}

/**
 * What `choice` costs, with points when `usePoints`: `quote(choice)` asks the service. Quotes
 * without points first (any `points` in `choice` is left out) to learn `maxPoints`, then, when
 * points are wanted and any can be spent, again with that many. Resolves `{quoted, maxPoints,
 * points}`: `points` 0 when none are spent, and `quoted` then the quote without points.
 */
async function quoteWithPoints(quote, choice, balance, usePoints) {
  const withoutPoints = Object.assign({}, choice)
  delete withoutPoints.points
  const base = await quote(withoutPoints)
  const maxPoints = usablePoints(base.max_points, balance)
  const points = usePoints ? maxPoints : 0
  const quoted = points ? await quote(Object.assign({}, withoutPoints, { points })) : base
  return { quoted, maxPoints, points }
}

/**
 * The points row's words: "积分抵扣¥8（800积分）" when `quoted` spends points; before, how many the
 * order could take; '' when it can take none (no row).
 */
function pointsText(maxPoints, quoted) {
  if (!(maxPoints > 0)) return ''
  const price = quoted && quoted.price
  if (price && price.points_fen) return `积分抵扣${yuan(price.points_fen)}（${price.points_used}积分）`
  return `积分抵扣（本单最多可用${maxPoints}积分）`
}

module.exports = { breakdownLines, usablePoints, quoteWithPoints, pointsText }
