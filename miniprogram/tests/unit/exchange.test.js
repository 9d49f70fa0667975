/** 改签 rules as the pages explain them (lib/exchange.js) and the refund quote (lib/refund-quote.js). */
const { exchangeState, differenceView, quoteView, outcomeLines } = require('../../lib/exchange')
const { refundQuoteView } = require('../../lib/refund-quote')

const START = '2030-01-01T19:30:00+08:00'
const at = (iso) => Date.parse(iso)

function order(extra) {
  return Object.assign(
    {
      status: 'ticketed',
      showtime: { id: 7, starts_at: START },
      tickets: [{ code: 'A', live: true }],
      amount_fen: 9000,
      price: { points_used: 0, coupon_fen: 0 },
    },
    extra || {}
  )
}

describe('exchange', () => {
  test("allowed until 30 minutes before the original start, the deadline in the cinema's clock", () => {
    expect(exchangeState(order(), at('2030-01-01T18:59:00+08:00'))).toMatchObject({
      allowed: true,
      deadline: '01-01 19:00',
      exchanged: false,
    })
    expect(exchangeState(order(), at('2030-01-01T19:00:00+08:00')).allowed).toBe(false)
  })

  test('once per order: an order with a ticket no longer live has been exchanged', () => {
    const moved = order({
      tickets: [
        { code: 'A', live: false },
        { code: 'B', live: true },
      ],
    })
    expect(exchangeState(moved, at('2030-01-01T12:00:00+08:00'))).toMatchObject({
      allowed: false,
      exchanged: true,
    })
  })

  test('only ticketed orders with a showtime', () => {
    const now = at('2030-01-01T12:00:00+08:00')
    expect(exchangeState(order({ status: 'refunded' }), now).allowed).toBe(false)
    expect(exchangeState(order({ showtime: null }), now).allowed).toBe(false)
  })

  test('the difference, the quote and the outcome in words', () => {
    expect(differenceView(9000, 11000).text).toBe('需补差价¥20')
    expect(differenceView(9000, 8000).text).toBe('退还差价¥10')
    expect(differenceView(9000, 9000).text).toBe('无差价')
    const quote = {
      old_amount_fen: 9000,
      new_amount_fen: 11000,
      fee_fen: 0,
      free_exchange: true,
      free_exchanges_left: 2,
      pay_fen: 2000,
      refund_fen: 0,
      deadline: '2030-01-01T19:00:00+08:00',
    }
    expect(quoteView(quote)).toMatchObject({
      text: '需补差价¥20',
      fee: '会员免费改签（本月剩余2次）',
      total: { label: '需支付', value: '¥20' },
      pay: 2000,
      note: '01-01 19:00前可改签，以上按当前座位和会员额度计算',
    })
    const cheaper = Object.assign({}, quote, { new_amount_fen: 8000, fee_fen: 500, free_exchange: false })
    expect(quoteView(Object.assign(cheaper, { pay_fen: 0, refund_fen: 500 }))).toMatchObject({
      fee: '¥5',
      total: { label: '将退还', value: '¥5（原路退回）' },
    })
    const even = Object.assign({}, quote, { new_amount_fen: 9000, free_exchange: false, pay_fen: 0 })
    expect(quoteView(even)).toMatchObject({ fee: '免手续费', total: { label: '无需补差价', value: '¥0' } })
    expect(outcomeLines({ fee_fen: 0, pay_fen: 2000, refund_fen: 0 })).toEqual([
      { label: '手续费', value: '免手续费' },
      { label: '已补差价', value: '¥20' },
    ])
    expect(outcomeLines({ fee_fen: 500, pay_fen: 0, refund_fen: 1000 })).toEqual([
      { label: '手续费', value: '¥5' },
      { label: '退还差价', value: '¥10（原路退回）' },
    ])
  })
})

describe('refund quote', () => {
  const quote = (extra) =>
    Object.assign(
      {
        order_id: 'o1',
        refundable: true,
        refusal: null,
        paid_fen: 8100,
        fee_percent: 10,
        fee_fen: 810,
        refund_fen: 7290,
        deadline: '2030-01-01T17:30:00+08:00',
      },
      extra || {}
    )

  test('the fee tier and what comes back: money, points and the coupon', () => {
    const view = refundQuoteView(quote(), order({ price: { points_used: 500, coupon_fen: 500 } }), 'zh')
    expect(view.lines).toEqual([
      { label: '实付金额', value: '¥81' },
      { label: '退票手续费（10%）', value: '-¥8.10' },
      { label: '退回金额', value: '¥72.90', strong: true },
      { label: '退回积分', value: '500积分' },
      { label: '优惠券', value: '有效期内且活动允许时退回' },
    ])
    expect(view.note).toBe('以上按01-01 17:30前退票计算，退款原路退回')
  })

  test('a free tier says so', () => {
    const view = refundQuoteView(quote({ fee_percent: 0, fee_fen: 0, refund_fen: 8100 }), order(), 'zh')
    expect(view.lines.map((l) => l.value)).toEqual(['¥81', '免手续费', '¥81'])
  })

  test('refusals by policy say why', () => {
    const premiere = refundQuoteView(quote({ refundable: false, refusal: 'refund_premiere' }), order(), 'zh')
    expect(premiere).toMatchObject({ refundable: false, refusal: '首映场次不支持退票', lines: [] })
    const closed = refundQuoteView(
      quote({ refundable: false, refusal: 'refund_closed', deadline: '2030-01-01T19:00:00+08:00' }),
      order(),
      'zh'
    )
    expect(closed.refusal).toBe('已过退票时间（01-01 19:00截止）')
    const undated = refundQuoteView(
      quote({ refundable: false, refusal: 'refund_closed', deadline: null }),
      order(),
      'zh'
    )
    expect(undated.refusal).toBe('已过退票时间（开场前30分钟截止）')
  })
})
