/** Orders as shown: status words, what may still be done, the refund policy and its deadline. */
const { describeOrder, refundPolicy, isPaid } = require('../../lib/orders')

const STARTS = '2030-01-01T19:30:00+08:00'
const at = (iso) => Date.parse(iso)

/** An order in the service's answer shape (seatcore/api/orders.py OrderOut). */
function order(extra) {
  return Object.assign(
    {
      id: 'o1',
      status: 'ticketed',
      reason: null,
      reason_text: null,
      amount_fen: 9000,
      seats: [
        { seat: 'E-7', price_fen: 4500 },
        { seat: 'E-8', price_fen: 4500 },
      ],
      showtime: { id: 7, movie_title: 'M', cinema_name: 'C', hall_name: 'H', starts_at: STARTS },
      refundable_until: '2030-01-01T19:00:00+08:00',
    },
    extra
  )
}

test('describes an order', () => {
  expect(describeOrder(order(), at('2030-01-01T10:00:00+08:00'), 'zh')).toMatchObject({
    statusText: '已出票',
    amount: '¥90',
    title: 'M',
    cinema: 'C',
    hall: 'H',
    when: '01-01 19:30',
    seats: 'E排7座 E排8座',
    payable: false,
    reason: '',
  })
  const unpaid = describeOrder(order({ status: 'pending_payment', refundable_until: null }), 0, 'en')
  expect(unpaid).toMatchObject({ statusText: 'Awaiting payment', payable: true })
  expect(describeOrder(order({ status: 'odd_new_state' }), 0, 'zh').statusText).toBe('odd_new_state')
  expect(describeOrder({ id: 'x', status: 'expired' }, 0, 'zh')).toMatchObject({
    title: '',
    seats: '',
    when: '',
  })
})

test('refunds: ticketed orders only, until their deadline', () => {
  expect(refundPolicy(order(), at('2030-01-01T18:59:00+08:00'), 'zh').allowed).toBe(true)
  expect(refundPolicy(order(), at('2030-01-01T19:00:01+08:00'), 'zh').allowed).toBe(false)
  ;['pending_payment', 'paid', 'refund_requested', 'refunded'].forEach((status) => {
    expect(refundPolicy(order({ status }), 0, 'zh').allowed).toBe(false)
  })
})

test("the policy names the cinema's own deadline, or the default of 30 minutes", () => {
  expect(refundPolicy(order(), 0, 'zh').text).toBe('开场30分钟前可申请退票，退款将原路退回；之后不可退票。')
  const early = order({ refundable_until: '2030-01-01T17:30:00+08:00' })
  expect(refundPolicy(early, 0, 'en').text).toMatch(/until 120 minutes before the start/)
  expect(refundPolicy(order({ status: 'paid', refundable_until: null }), 0, 'zh').text).toMatch(
    /^开场30分钟前/
  )
})

test('why an order left the happy path: in the user language, else the service words', () => {
  expect(describeOrder(order({ status: 'refunded', reason: 'late_payment' }), 0, 'zh').reason).toBe(
    '支付到账时座位锁定已结束，座位未能保留，全额退款'
  )
  const odd = order({ status: 'refunded', reason: 'brand_new', reason_text: 'a new reason' })
  expect(describeOrder(odd, 0, 'zh').reason).toBe('a new reason')
})

test('isPaid', () => {
  expect(['paid', 'ticketed', 'pending_payment', 'refunded'].map((status) => isPaid({ status }))).toEqual([
    true,
    true,
    false,
    false,
  ])
})
