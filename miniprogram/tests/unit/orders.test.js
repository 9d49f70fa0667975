/** Orders as shown: status words, what may still be done, the refund policy and its deadline. */
const { describeOrder, refundPolicy, isPaid, isSnacksOnly } = require('../../lib/orders')

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

describe('snacks alone (SNACK_ORDERS_API.md)', () => {
  const SNACKS = [{ id: 7, name: '爆米花', qty: 2, price_fen: 2800 }]
  const snackOrder = (extra) =>
    Object.assign(
      {
        id: 'S3-0a1b2c3d4e5f60',
        kind: 'snacks',
        status: 'ticketed',
        cinema: { id: 3, name: 'C3' },
        showtime: null,
        seats: [],
        tickets: [],
        snacks: SNACKS,
        amount_fen: 5600,
        refundable_until: null,
        created_at: '2030-01-01T18:40:00+08:00',
        pickup: { code: 'K7Q2M9', qr: 'q', picked_up_at: null },
      },
      extra
    )

  test('`kind` decides; without it, snacks and no showtime', () => {
    expect(isSnacksOnly(snackOrder())).toBe(true)
    expect(isSnacksOnly(snackOrder({ kind: undefined }))).toBe(true)
    expect(isSnacksOnly(order({ kind: 'tickets', snacks: SNACKS }))).toBe(false)
    // a ticket order whose showtime is missing (MySQL away) is still a ticket order
    expect(isSnacksOnly(order({ kind: 'tickets', showtime: null, snacks: SNACKS }))).toBe(false)
    expect(isSnacksOnly(order({ showtime: null, snacks: [] }))).toBe(false)
  })

  test('shown with its cinema, when it was ordered, and no showtime, hall or seats', () => {
    expect(describeOrder(snackOrder(), 0, 'zh')).toMatchObject({
      snacksOnly: true,
      title: '影院卖品',
      statusText: '已支付',
      cinema: 'C3',
      hall: '',
      place: 'C3',
      when: '',
      seats: '',
      placedAt: '01-01 18:40',
      snacksText: '爆米花×2',
    })
    // ticket orders: the showtime's cinema, else the order's
    expect(describeOrder(order(), 0, 'zh')).toMatchObject({ place: 'C H', placedAt: '' })
    const away = order({ showtime: { starts_at: STARTS }, cinema: { id: 1, name: 'C1' } })
    expect(describeOrder(away, 0, 'zh').place).toBe('C1')
  })

  test('refundable while landed and not picked up, with no deadline', () => {
    const late = at('2031-01-01T00:00:00+08:00')
    expect(refundPolicy(snackOrder(), late, 'zh')).toMatchObject({
      allowed: true,
      deadline: '',
      text: '卖品领取前可随时申请退款，全额原路退回；领取后不可退款。',
    })
    const pickedUp = snackOrder({ pickup: { code: 'K', qr: 'q', picked_up_at: '2030-01-01T19:10:00+08:00' } })
    expect(refundPolicy(pickedUp, 0, 'zh').allowed).toBe(false)
    ;['pending_payment', 'paid', 'refunded', 'cancelled'].forEach((status) => {
      expect(refundPolicy(snackOrder({ status }), 0, 'zh').allowed).toBe(false)
    })
  })
})
