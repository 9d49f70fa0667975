/** Buying: seat selection, order confirmation with countdown and payment, tickets and refunds. */
const { createFakeWx, errorReply, flush } = require('../support/fake-wx')
const { routeCatalogue } = require('../support/catalogue')
const { bigHall, BIG_HALL_PRICES, seatsAnswer } = require('../support/halls')
const { openPage, textOf, tap } = require('../support/pages')
const { inMinutes, order, ticketed, TICKETS: tickets, WECHAT_PARAMS } = require('../support/orders')

let wx

beforeEach(() => {
  wx = createFakeWx()
  global.wx = wx
  routeCatalogue(wx)
})

afterEach(() => {
  delete global.wx
})

describe('seats', () => {
  test('shows the showtime above its live map and goes on to the order once seats are held', async () => {
    wx.route('GET', '/api/v1/showtimes/7/seats', () => seatsAnswer(7, bigHall(), BIG_HALL_PRICES))
    wx.route('POST', '/api/v1/showtimes/7/holds', (req) => ({
      id: 'h1',
      seats: req.data.seats,
      expires_at: inMinutes(15),
      amount_fen: 4500,
    }))
    const page = await openPage('seats', { showtime_id: '7' }, flush)
    expect(textOf(page, '.title')).toBe('流浪地球')
    expect(wx.calls.setNavigationBarTitle.pop().title).toBe('流浪地球')
    const map = page.querySelector('#map')
    expect(map.querySelectorAll('.seat')).toHaveLength(240)
    // The socket resumes from the HTTP snapshot: only changes after seq 10 come over it.
    expect(wx.lastSocket().url).toBe('ws://127.0.0.1:8000/ws/showtimes/7?since=10&epoch=e1')
    // C-3 and C-4 up to the aisle: C-3 alone would leave C-4 stranded (refused on the phone).
    await tap(map.querySelector('#seat-C-3'))
    await tap(map.querySelector('#seat-C-4'))
    await tap(map.querySelector('.confirm-button'))
    await flush()
    expect(wx.calls.navigateTo.pop().url).toBe('/pages/order/index?hold_id=h1&showtime_id=7')
  })
})

describe('order', () => {
  beforeEach(() => {
    wx.route('GET', '/api/v1/holds/h1', () => ({
      id: 'h1',
      seats: ['E-7', 'E-8'],
      expires_at: inMinutes(10),
      amount_fen: 9000,
    }))
  })

  function routePayment() {
    let status = 'pending_payment'
    wx.route('POST', '/api/v1/orders', (req) => {
      expect(req.data).toEqual({ hold_id: 'h1' })
      return order()
    })
    wx.route('POST', '/api/v1/orders/o1/pay', () => ({
      order_id: 'o1',
      provider: 'wechatpay',
      amount_fen: 9000,
      params: WECHAT_PARAMS,
    }))
    wx.route('GET', '/api/v1/orders/o1', () => order({ status }))
    return { confirm: () => (status = 'paid') }
  }

  test('shows seats, amount and the countdown; pays with the server parameters and shows the tickets', async () => {
    const payment = routePayment()
    wx.requestPayment = (args) => {
      wx.payments.push(args)
      payment.confirm()
      Promise.resolve().then(() => args.success({ errMsg: 'requestPayment:ok' }))
    }
    const page = await openPage('order', { hold_id: 'h1', showtime_id: '7' }, flush)
    expect(textOf(page, '.seats')).toBe('E排7座 E排8座')
    expect(textOf(page, '.amount')).toBe('¥90')
    expect(textOf(page, '.countdown-value')).toMatch(/^(09:5\d|10:00)$/)
    await tap(page.querySelector('.pay'))
    await flush()
    const [params] = wx.payments
    expect(params).toMatchObject({ timeStamp: '1700000000', package: 'prepay_id=p1', paySign: 's' })
    const [create] = wx.requestsTo('POST', '/api/v1/orders')
    const [pay] = wx.requestsTo('POST', '/api/v1/orders/o1/pay')
    expect(create.header['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)
    expect(pay.header['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)
    expect(pay.header['Idempotency-Key']).not.toBe(create.header['Idempotency-Key'])
    expect(wx.calls.redirectTo.pop().url).toBe('/pages/ticket/index?id=o1')
    expect(wx.calls.showToast.pop().title).toBe('支付成功')
    page.instance.onUnload()
  })

  test('a cancelled payment keeps the order; paying again reuses the order and the idempotency key', async () => {
    const payment = routePayment()
    wx.payResult = 'cancel'
    const page = await openPage('order', { hold_id: 'h1', showtime_id: '7' }, flush)
    await tap(page.querySelector('.pay'))
    await flush()
    expect(textOf(page, '.error')).toBe('你取消了支付，座位仍为你保留到倒计时结束')
    wx.payResult = 'ok'
    payment.confirm()
    await tap(page.querySelector('.pay'))
    await flush()
    expect(wx.requestsTo('POST', '/api/v1/orders')).toHaveLength(1)
    const keys = wx.requestsTo('POST', '/api/v1/orders/o1/pay').map((r) => r.header['Idempotency-Key'])
    expect(keys).toHaveLength(2)
    expect(keys[0]).toBe(keys[1])
    expect(wx.calls.redirectTo.pop().url).toBe('/pages/ticket/index?id=o1')
    page.instance.onUnload()
  })

  test('a hold the service says expired is explained and payment stops', async () => {
    wx.route('POST', '/api/v1/orders', () => errorReply(409, 'hold_expired'))
    const page = await openPage('order', { hold_id: 'h1', showtime_id: '7' }, flush)
    await tap(page.querySelector('.pay'))
    await flush()
    expect(textOf(page, '.error')).toBe('座位锁定已超时，请重新选座')
    expect(page.data.phase).toBe('expired')
    page.instance.onUnload()
  })

  test('an expired hold disables payment', async () => {
    wx.route('GET', '/api/v1/holds/h1', () => ({
      id: 'h1',
      seats: ['E-7'],
      expires_at: inMinutes(-1),
      amount_fen: 4500,
    }))
    const page = await openPage('order', { hold_id: 'h1', showtime_id: '7' }, flush)
    expect(page.data.phase).toBe('expired')
    await tap(page.querySelector('.pay'))
    expect(wx.requestsTo('POST', '/api/v1/orders')).toHaveLength(0)
    page.instance.onUnload()
  })

  test('cancel releases the hold and goes back', async () => {
    wx.route('DELETE', '/api/v1/holds/h1', () => null)
    const page = await openPage('order', { hold_id: 'h1', showtime_id: '7' }, flush)
    await tap(page.querySelector('.cancel'))
    await flush()
    expect(wx.requestsTo('DELETE', '/api/v1/holds/h1')).toHaveLength(1)
    expect(wx.calls.navigateBack).toHaveLength(1)
  })

  test('cancel after the order was made cancels the order', async () => {
    wx.route('GET', '/api/v1/orders/o1', () => order())
    wx.route('POST', '/api/v1/orders/o1/cancel', () => order({ status: 'cancelled' }))
    const page = await openPage('order', { order_id: 'o1' }, flush)
    await tap(page.querySelector('.cancel'))
    await flush()
    expect(wx.requestsTo('POST', '/api/v1/orders/o1/cancel')).toHaveLength(1)
    expect(wx.requestsTo('DELETE', /holds/)).toHaveLength(0)
  })

  test('the sandbox provider skips the WeChat Pay sheet: the page waits for its confirmation', async () => {
    let polls = 0
    wx.route('POST', '/api/v1/orders', () => order())
    wx.route('POST', '/api/v1/orders/o1/pay', () => ({
      order_id: 'o1',
      provider: 'sandbox',
      amount_fen: 9000,
      params: Object.assign({}, WECHAT_PARAMS, { package: 'prepay_id=sandbox-o1' }),
    }))
    wx.route('GET', '/api/v1/orders/o1', () =>
      order({ status: (polls += 1) > 1 ? 'paid' : 'pending_payment' })
    )
    const page = await openPage('order', { hold_id: 'h1', showtime_id: '7' }, flush)
    await page.instance.pay()
    expect(wx.payments).toHaveLength(0)
    expect(polls).toBe(2)
    expect(wx.calls.redirectTo.pop().url).toBe('/pages/ticket/index?id=o1')
    page.instance.onUnload()
  })

  test('an order that could not be read offers a retry that loads it', async () => {
    wx.route('GET', '/api/v1/orders/o1', () => errorReply(503, 'upstream_unavailable'))
    const page = await openPage('order', { order_id: 'o1' }, flush)
    expect(page.instance.data.phase).toBe('error')
    wx.route('GET', '/api/v1/orders/o1', () => order())
    await tap(page.querySelector('.retry'))
    await flush()
    expect(page.instance.data.phase).toBe('ready')
    expect(textOf(page, '.seats')).toBe('E排7座 E排8座')
    page.instance.onUnload()
  })

  test('an unpaid order from My orders opens for payment; a paid one goes to its tickets', async () => {
    wx.route('GET', '/api/v1/orders/o1', () => order())
    const page = await openPage('order', { order_id: 'o1' }, flush)
    expect(textOf(page, '.title')).toBe('流浪地球')
    expect(page.data.phase).toBe('ready')
    page.instance.onUnload()
    wx.route('GET', '/api/v1/orders/o2', () => order({ id: 'o2', status: 'paid' }))
    await openPage('order', { order_id: 'o2' }, flush)
    expect(wx.calls.redirectTo.pop().url).toBe('/pages/ticket/index?id=o2')
  })
})

describe('ticket', () => {
  beforeEach(() => {
    wx.route('GET', /^\/api\/v1\/tickets\/\w+\/qr.png$/, () => 'png')
  })

  test('shows each ticket code and QR, explains the policy and refunds with an idempotency key', async () => {
    let status = 'ticketed'
    wx.route('GET', '/api/v1/orders/o1', () => ticketed({ status }))
    wx.route('POST', '/api/v1/orders/o1/refund', () => ((status = 'refund_requested'), ticketed({ status })))
    const page = await openPage('ticket', { id: 'o1' }, flush)
    expect(page.querySelectorAll('.code').map((el) => el.dom.textContent)).toEqual([
      '取票码 A1B2C3',
      '取票码 D4E5F6',
    ])
    // The QR needs the token: downloaded with it, shown from the temp file.
    expect(page.querySelectorAll('.qr')).toHaveLength(2)
    expect(page.data.tickets[0].qr).toBe('wxfile://tmp/api/v1/tickets/A1B2C3/qr.png')
    expect(wx.downloads[0].header.Authorization).toBe('Bearer token-alice')
    expect(textOf(page, '.policy-text')).toBe('开场30分钟前可申请退票，退款将原路退回；之后不可退票。')
    await tap(page.querySelector('.refund'))
    await flush()
    expect(wx.calls.showModal[0].content).toBe('开场30分钟前可申请退票，退款将原路退回；之后不可退票。')
    const [refund] = wx.requestsTo('POST', '/api/v1/orders/o1/refund')
    expect(refund.header['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)
    expect(textOf(page, '.status')).toBe('退款中')
  })

  test('no refund past the deadline, and none when the user does not confirm', async () => {
    wx.route('GET', '/api/v1/orders/o1', () => ticketed({ refundable_until: inMinutes(-1) }))
    const page = await openPage('ticket', { id: 'o1' }, flush)
    await tap(page.querySelector('.refund'))
    expect(wx.calls.showToast.pop().title).toBe('已过退票时间或订单不可退')
    wx.route('GET', '/api/v1/orders/o3', () => ticketed({ id: 'o3' }))
    wx.modalConfirm = false
    const later = await openPage('ticket', { id: 'o3' }, flush)
    await tap(later.querySelector('.refund'))
    await flush()
    expect(wx.requestsTo('POST', /refund$/)).toHaveLength(0)
  })

  test('tickets that could not be read offer a retry', async () => {
    wx.route('GET', '/api/v1/orders/o1', () => errorReply(503, 'upstream_unavailable'))
    const page = await openPage('ticket', { id: 'o1' }, flush)
    expect(page.querySelector('.retry')).toBeTruthy()
    wx.route('GET', '/api/v1/orders/o1', () => ticketed())
    await tap(page.querySelector('.retry'))
    await flush()
    expect(textOf(page, '.seat')).toBe('E排7座')
    expect(page.querySelector('.error')).toBeFalsy()
  })

  test("the service's refusal of a refund is explained", async () => {
    wx.route('GET', '/api/v1/orders/o1', () => ticketed())
    wx.route('POST', '/api/v1/orders/o1/refund', () => errorReply(409, 'refund_closed', {}, 'too late'))
    const page = await openPage('ticket', { id: 'o1' }, flush)
    await tap(page.querySelector('.refund'))
    await flush()
    expect(textOf(page, '.error')).toBe('已过退票时间（开场前30分钟截止）')
  })

  test('a paid order is looked at again until its tickets are issued', async () => {
    let looks = 0
    wx.route('GET', '/api/v1/orders/o1', () =>
      (looks += 1) < 2 ? order({ status: 'paid', expires_at: null }) : ticketed()
    )
    const page = await openPage('ticket', { id: 'o1' }, flush)
    expect(textOf(page, '.note')).toBe('支付成功，正在出票…')
    await new Promise((resolve) => setTimeout(resolve, 1100))
    await flush()
    expect(page.querySelectorAll('.code')).toHaveLength(2)
    expect(page.querySelector('.note')).toBeUndefined()
    page.instance.onUnload()
  })

  test('a refunded order explains why and shows its tickets as void', async () => {
    const voided = tickets.map((t) => Object.assign({}, t, { live: false }))
    wx.route('GET', '/api/v1/orders/o1', () =>
      ticketed({ status: 'refunded', reason: 'requested', tickets: voided })
    )
    const page = await openPage('ticket', { id: 'o1' }, flush)
    expect(textOf(page, '.reason')).toBe('已按你的申请退款')
    expect(page.querySelectorAll('.qr')).toHaveLength(0)
    expect(page.querySelector('.refund')).toBeUndefined()
  })
})
