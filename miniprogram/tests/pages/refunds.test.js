/**
 * A refund with its quote: before confirming, the ticket page shows the cinema's fee and what
 * comes back (money, points, coupon) from GET /orders/{id}/refund-quote; a refusal by policy says
 * why; confirming refunds with an idempotency key.
 */
const { createFakeWx, flush } = require('../support/fake-wx')
const { routeCatalogue } = require('../support/catalogue')
const { openPage, textOf, tap } = require('../support/pages')
const { price, ticketed } = require('../support/orders')

let wx

function quote(extra) {
  return Object.assign(
    {
      order_id: 'o1',
      refundable: true,
      refusal: null,
      paid_fen: 7600,
      fee_percent: 10,
      fee_fen: 760,
      refund_fen: 6840,
      deadline: '2030-01-01T17:30:00+08:00',
    },
    extra || {}
  )
}

beforeEach(() => {
  wx = createFakeWx()
  global.wx = wx
  routeCatalogue(wx)
  wx.route('GET', /^\/api\/v1\/tickets\/\w+\/qr.png$/, () => 'png')
})

afterEach(() => {
  delete global.wx
})

test('the quote shows the fee and what comes back; confirming refunds it', async () => {
  let status = 'ticketed'
  const paidWith = price({ coupon_fen: 500, points_fen: 900, points_used: 900 })
  wx.route('GET', '/api/v1/orders/o1', () =>
    ticketed({ status, amount_fen: paidWith.paid_fen, price: paidWith })
  )
  wx.route('GET', '/api/v1/orders/o1/refund-quote', () => quote())
  wx.route('POST', '/api/v1/orders/o1/refund', () => {
    status = 'refunded'
    return ticketed({ status })
  })
  const page = await openPage('ticket', { id: 'o1' }, flush)
  await tap(page.querySelector('.refund'))
  await flush()
  expect(page.querySelectorAll('.quote-line').map((el) => el.dom.textContent)).toEqual([
    '实付金额¥76',
    '退票手续费（10%）-¥7.60',
    '退回金额¥68.40',
    '退回积分900积分',
    '优惠券有效期内且活动允许时退回',
  ])
  expect(textOf(page, '.quote-note')).toBe('以上按01-01 17:30前退票计算，退款原路退回')
  // nothing is refunded before the user confirms; the page's own actions wait meanwhile
  expect(wx.requestsTo('POST', /refund$/)).toHaveLength(0)
  expect(page.querySelector('.actions')).toBeFalsy()
  await tap(page.querySelector('.confirm-refund'))
  await flush()
  const [refund] = wx.requestsTo('POST', '/api/v1/orders/o1/refund')
  expect(refund.header['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)
  expect(wx.calls.showToast.pop().title).toBe('已申请退票')
  expect(textOf(page, '.status')).toBe('已退款')
  expect(page.querySelector('.quote')).toBeFalsy()
})

test("changing one's mind closes the quote without refunding", async () => {
  wx.route('GET', '/api/v1/orders/o1', () => ticketed())
  wx.route('GET', '/api/v1/orders/o1/refund-quote', () =>
    quote({ paid_fen: 9000, fee_percent: 0, fee_fen: 0, refund_fen: 9000 })
  )
  const page = await openPage('ticket', { id: 'o1' }, flush)
  await tap(page.querySelector('.refund'))
  await flush()
  expect(page.querySelectorAll('.quote-value').map((el) => el.dom.textContent)).toEqual([
    '¥90',
    '免手续费',
    '¥90',
  ])
  await tap(page.querySelector('.keep'))
  expect(page.querySelector('.quote')).toBeFalsy()
  expect(wx.requestsTo('POST', /refund$/)).toHaveLength(0)
})

test('a refund the policy refuses says why (a premiere), and offers no confirmation', async () => {
  wx.route('GET', '/api/v1/orders/o1', () => ticketed())
  wx.route('GET', '/api/v1/orders/o1/refund-quote', () =>
    quote({ refundable: false, refusal: 'refund_premiere', fee_fen: 0, refund_fen: 0 })
  )
  const page = await openPage('ticket', { id: 'o1' }, flush)
  await tap(page.querySelector('.refund'))
  await flush()
  expect(textOf(page, '.refusal')).toBe('首映场次不支持退票')
  expect(page.querySelector('.confirm-refund')).toBeFalsy()
})

test('past the last fee tier the quote says since when', async () => {
  wx.route('GET', '/api/v1/orders/o1', () => ticketed())
  wx.route('GET', '/api/v1/orders/o1/refund-quote', () =>
    quote({
      refundable: false,
      refusal: 'refund_closed',
      deadline: '2030-01-01T19:00:00+08:00',
      refund_fen: 0,
    })
  )
  const page = await openPage('ticket', { id: 'o1' }, flush)
  await tap(page.querySelector('.refund'))
  await flush()
  expect(textOf(page, '.refusal')).toBe('已过退票时间（01-01 19:00截止）')
})
