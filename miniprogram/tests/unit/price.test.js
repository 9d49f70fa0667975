/** The price in words and the points choice, shared by the ticket checkout and snacks alone (lib/price.js). */
const { breakdownLines, usablePoints, quoteWithPoints, pointsText } = require('../../lib/price')

const PRICE = {
  list_fen: 0,
  member_discount_fen: 0,
  coupon_fen: 0,
  points_fen: 0,
  points_used: 0,
  snacks_fen: 10500,
  paid_fen: 10500,
}

test('the breakdown: only the steps taken, none for a price of one step', () => {
  expect(breakdownLines(PRICE)).toEqual([])
  expect(breakdownLines(Object.assign({}, PRICE, { points_fen: 3000, points_used: 3000 }))).toEqual([
    { label: '积分抵扣（3000积分）', value: '-¥30' },
    { label: '卖品', value: '¥105' },
  ])
  expect(breakdownLines(null)).toEqual([])
})

test("points usable: the quote's most, never past the balance", () => {
  expect(usablePoints(5250, 3000)).toBe(3000)
  expect(usablePoints(1400, 3000)).toBe(1400)
  expect(usablePoints(1400, undefined)).toBe(0)
})

test('quotes without points first, then with as many as the order can take when wanted', async () => {
  const asked = []
  const quote = async (choice) => {
    asked.push(choice)
    const points = choice.points || 0
    return { price: Object.assign({}, PRICE, { points_fen: points, points_used: points }), max_points: 5250 }
  }
  const off = await quoteWithPoints(quote, { coupon_id: 3, points: 99 }, 3000, false)
  expect(off).toMatchObject({ maxPoints: 3000, points: 0 })
  expect(pointsText(off.maxPoints, off.quoted)).toBe('积分抵扣（本单最多可用3000积分）')
  const on = await quoteWithPoints(quote, { coupon_id: 3 }, 3000, true)
  expect(on).toMatchObject({ maxPoints: 3000, points: 3000 })
  expect(pointsText(on.maxPoints, on.quoted)).toBe('积分抵扣¥30（3000积分）')
  expect(asked).toEqual([{ coupon_id: 3 }, { coupon_id: 3 }, { coupon_id: 3, points: 3000 }])
  // no points to spend: one quote, no row
  const none = await quoteWithPoints(quote, {}, 0, true)
  expect(none.points).toBe(0)
  expect(asked).toHaveLength(4)
  expect(pointsText(none.maxPoints, none.quoted)).toBe('')
})
