/** Members, coupons and points: the member centre, and the coupon and points choice at checkout. */
const { createFakeWx, errorReply, flush } = require('../support/fake-wx')
const { routeCatalogue } = require('../support/catalogue')
const { openPage, textOf, tap } = require('../support/pages')

let wx

const inMinutes = (m) => new Date(Date.now() + m * 60000).toISOString()

const CAMPAIGN = {
  id: 3,
  name: '周末观影券',
  kind: 'amount',
  value: 500,
  cap_fen: 0,
  min_spend_fen: 3000,
  left: 10,
}

function membership(member) {
  return member
    ? {
        member: true,
        tier: { name: 'V1' },
        points: 1200,
        next_tier: { name: 'V2' },
        progress: { spend_12m_fen: 10000, needed_fen: 20000, percent: 33 },
      }
    : { member: false, tier: null, points: 0, next_tier: null, progress: null }
}

/** A price in the service's shape (seatcore/api/orders.py PriceOut). */
function price(member, coupon, points) {
  const list = 9000
  return {
    list_fen: list,
    member_discount_fen: member,
    coupon_fen: coupon,
    points_fen: points,
    points_used: points,
    paid_fen: list - member - coupon - points,
  }
}

/** A hold of two seats, one usable coupon, a member with 1200 points, and the service's quote. */
function routeCheckout() {
  wx.route('GET', '/api/v1/holds/h1', () => ({
    id: 'h1',
    seats: ['E-7', 'E-8'],
    expires_at: inMinutes(10),
    amount_fen: 9000,
  }))
  wx.route('GET', '/api/v1/me/coupons', () => ({
    items: [{ id: 11, state: 'available', campaign: CAMPAIGN }],
  }))
  wx.route('GET', '/api/v1/me/membership', () => membership(true))
  wx.route('POST', '/api/v1/holds/h1/quote', (req) => ({
    price: price(900, req.data.coupon_id ? 500 : 0, req.data.points || 0),
    max_points: 3800,
  }))
}

beforeEach(() => {
  wx = createFakeWx({ user: 'amy' })
  global.wx = wx
  routeCatalogue(wx)
})

afterEach(() => {
  delete global.wx
})

test('member centre: joins, shows tier, points and history, claims a coupon and redeems a code', async () => {
  let member = false
  const claimed = []
  wx.route('GET', '/api/v1/me/membership', () => membership(member))
  wx.route('POST', '/api/v1/me/membership', () => {
    member = true
    return membership(true)
  })
  wx.route('GET', '/api/v1/me/points', () => ({
    items: [
      { id: 2, kind: 'earn', points: 90 },
      { id: 1, kind: 'reserve', points: -100 },
    ],
    next_cursor: null,
  }))
  wx.route('GET', '/api/v1/coupons', () => ({ items: [CAMPAIGN] }))
  wx.route('GET', '/api/v1/me/coupons', () => ({
    items: claimed.map((id) => ({ id, state: 'available', campaign: CAMPAIGN })),
  }))
  wx.route('POST', '/api/v1/coupons/claim', (req) => {
    claimed.push(claimed.length + 1)
    return { id: claimed.length, state: 'available', campaign: CAMPAIGN, body: req.data }
  })

  const page = await openPage('member', {}, flush)
  expect(textOf(page, '.join')).toBe('免费加入')
  await tap(page.querySelector('.join'))
  await flush()
  expect(textOf(page, '.tier')).toBe('V1')
  expect(textOf(page, '.points-value')).toBe('1200')
  expect(textOf(page, '.next')).toBe('再消费¥200升级V2')
  expect(page.querySelectorAll('.points-change').map((el) => el.dom.textContent)).toEqual(['+90', '-100'])
  expect(textOf(page, '.empty-coupons')).toBe('还没有优惠券')

  await tap(page.querySelector('.claim'))
  await flush()
  page.instance.onCode({ detail: { value: ' ABCD2345EFGH ' } })
  await tap(page.querySelector('.redeem'))
  await flush()
  expect(wx.requestsTo('POST', '/api/v1/coupons/claim').map((r) => r.data)).toEqual([
    { campaign_id: 3 },
    { code: 'ABCD2345EFGH' },
  ])
  expect(page.querySelectorAll('.coupon-value').map((el) => el.dom.textContent)[0]).toBe('减¥5')
  expect(textOf(page, '.coupon .muted')).toBe('满¥30可用')
})

test('checkout: the quote shows the breakdown; the chosen coupon and points go with the order', async () => {
  routeCheckout()
  wx.route('POST', '/api/v1/orders', () => errorReply(409, 'points_insufficient'))

  const page = await openPage('order', { hold_id: 'h1', showtime_id: '7' }, flush)
  expect(textOf(page, '.amount')).toBe('¥81')
  expect(page.querySelectorAll('.breakdown-line').map((el) => el.dom.textContent)).toEqual([
    '票价¥90',
    '会员价优惠-¥9',
  ])
  await page.instance.pickCoupon({ detail: { value: 1 } })
  await page.instance.togglePoints({ detail: { value: true } })
  await flush()
  // at most the balance: 1200 of the 3800 the order could take
  expect(textOf(page, '.amount')).toBe('¥64')
  expect(wx.requestsTo('POST', '/api/v1/holds/h1/quote').pop().data).toEqual({ coupon_id: 11, points: 1200 })
  await tap(page.querySelector('.pay'))
  await flush()
  expect(wx.requestsTo('POST', '/api/v1/orders')[0].data).toEqual({
    hold_id: 'h1',
    coupon_id: 11,
    points: 1200,
  })
  expect(textOf(page, '.error')).toBe('积分不足')
  page.instance.onUnload()
})

test('pays with a coupon and points: the order takes both and the payment goes through', async () => {
  routeCheckout()
  let status = 'pending_payment'
  const made = () => ({ id: 'o1', status, price: price(900, 500, 1200), amount_fen: 6400, seats: [] })
  wx.route('POST', '/api/v1/orders', made)
  wx.route('GET', '/api/v1/orders/o1', made)
  wx.route('POST', '/api/v1/orders/o1/pay', () => {
    status = 'paid'
    return {
      order_id: 'o1',
      provider: 'sandbox',
      amount_fen: 6400,
      params: { package: 'prepay_id=sandbox-o1' },
    }
  })

  const page = await openPage('order', { hold_id: 'h1', showtime_id: '7' }, flush)
  await page.instance.pickCoupon({ detail: { value: 1 } })
  await page.instance.togglePoints({ detail: { value: true } })
  await flush()
  expect(page.querySelectorAll('.breakdown-line').map((el) => el.dom.textContent)).toEqual([
    '票价¥90',
    '会员价优惠-¥9',
    '优惠券-¥5',
    '积分抵扣（1200积分）-¥12',
  ])
  await tap(page.querySelector('.pay'))
  await flush()
  const [create] = wx.requestsTo('POST', '/api/v1/orders')
  expect(create.data).toEqual({ hold_id: 'h1', coupon_id: 11, points: 1200 })
  expect(wx.requestsTo('POST', '/api/v1/orders/o1/pay')).toHaveLength(1)
  expect(wx.calls.showToast.pop().title).toBe('支付成功')
  expect(wx.calls.redirectTo.pop().url).toBe('/pages/ticket/index?id=o1')
  page.instance.onUnload()
})
