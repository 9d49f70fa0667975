/**
 * An order of snacks alone (卖品单独购买, SNACK_ORDERS_API.md) once made: My orders and the order's
 * page show its cinema (`cinema`) and snacks with no empty movie, hall or seat lines; paid, the
 * pickup code and a refund without fee until the snacks are picked up; picked up, no refund;
 * unpaid, the way to pay it.
 */
const { createFakeWx, flush } = require('../support/fake-wx')
const { routeCatalogue } = require('../support/catalogue')
const { openPage, textOf, tap } = require('../support/pages')
const { order, price, snackOrder, WECHAT_PARAMS } = require('../support/orders')

let wx

const ID = 'S11-0a1b2c3d4e5f60'
const PICKUP = { code: 'K7Q2M9', qr: 'SNK1.eyJjIjoiSzdRMk05In0.c2lnbmF0dXJl', picked_up_at: null }
const PICKED_UP = Object.assign({}, PICKUP, { picked_up_at: '2030-01-01T19:10:00+08:00' })
const texts = (page, selector) => page.querySelectorAll(selector).map((el) => el.dom.textContent)

beforeEach(() => {
  wx = createFakeWx()
  global.wx = wx
  routeCatalogue(wx)
})

afterEach(() => {
  delete global.wx
})

describe('My orders', () => {
  test('a snack-only order shows its cinema and snacks, no showtime lines; unpaid, it opens the payment', async () => {
    wx.route('GET', '/api/v1/me/orders', () => ({
      items: [
        snackOrder({ status: 'ticketed', pickup: PICKUP }),
        snackOrder({ id: 'S11-2', status: 'pending_payment' }),
        order({ id: 'o1', status: 'ticketed', kind: 'tickets', cinema: { id: 11, name: '万达影城' } }),
      ],
      next_cursor: null,
    }))
    const page = await openPage('orders', {}, flush)
    const [paid, unpaid] = page.querySelectorAll('.order')
    expect(texts(page, '.title')).toEqual(['影院卖品', '影院卖品', '流浪地球'])
    expect(texts(page, '.status')).toEqual(['已支付', '待支付', '已出票'])
    expect(texts(page, '.price')).toEqual(['¥105', '¥105', '¥90'])
    // each snack order: its cinema and snacks, no empty showtime line; the ticket order as before
    expect(texts(page, '.order .muted')).toEqual([
      '万达影城',
      '爆米花（大）×2 双人观影套餐×1',
      '万达影城',
      '爆米花（大）×2 双人观影套餐×1',
      '万达影城 1号厅',
      '01-01 19:30 · E排7座 E排8座',
    ])

    await tap(unpaid)
    await tap(paid)
    expect(wx.calls.navigateTo.map((c) => c.url)).toEqual([
      '/pages/order/index?order_id=S11-2',
      `/pages/ticket/index?id=${ID}`,
    ])
  })

  test('without `kind` (an older service) snacks and no showtime still read as a snack order', async () => {
    const old = snackOrder({ status: 'ticketed' })
    delete old.kind
    delete old.cinema
    wx.route('GET', '/api/v1/me/orders', () => ({ items: [old], next_cursor: null }))
    const page = await openPage('orders', {}, flush)
    expect(textOf(page, '.title')).toBe('影院卖品')
    expect(texts(page, '.muted')).toEqual(['爆米花（大）×2 双人观影套餐×1'])
  })
})

describe("the order's page", () => {
  function quote(extra) {
    return Object.assign(
      {
        order_id: ID,
        refundable: true,
        refusal: null,
        paid_fen: 10500,
        fee_percent: 0,
        fee_fen: 0,
        refund_fen: 10500,
        deadline: null,
      },
      extra || {}
    )
  }

  test('paid: the cinema, the pickup code, and a refund without fee', async () => {
    let status = 'ticketed'
    wx.route('GET', `/api/v1/orders/${ID}`, () => snackOrder({ status, pickup: PICKUP }))
    wx.route('GET', `/api/v1/orders/${ID}/refund-quote`, () => quote())
    wx.route('POST', `/api/v1/orders/${ID}/refund`, () => {
      status = 'refunded'
      return snackOrder({ status, pickup: PICKUP })
    })
    const page = await openPage('ticket', { id: ID }, flush)
    expect(wx.calls.setNavigationBarTitle.pop().title).toBe('卖品订单')
    expect(textOf(page, '.title')).toBe('影院卖品')
    expect(textOf(page, '.status')).toBe('已支付')
    // the cinema and when it was ordered; no hall, showtime or seats
    expect(texts(page, '.muted')).toEqual(['万达影城', '下单时间 01-01 18:40'])
    expect(page.querySelector('.when')).toBeFalsy()
    expect(page.querySelectorAll('.ticket')).toHaveLength(0)
    expect(page.querySelector('.note')).toBeFalsy()
    const card = page.querySelector('.pickup-card')
    expect(textOf(card, '.pickup-code')).toBe('取餐码K7Q2M9')
    expect(textOf(card, '.state')).toBe('待领取')
    expect(textOf(page, '.policy .label')).toBe('退款说明')
    expect(textOf(page, '.policy-text')).toBe('卖品领取前可随时申请退款，全额原路退回；领取后不可退款。')
    expect(page.querySelector('.exchange')).toBeFalsy()
    expect(page.querySelector('.pay')).toBeFalsy()

    const refund = page.querySelector('.refund')
    expect(refund.dom.textContent).toBe('申请退款')
    expect(refund.dom.className).not.toMatch(/disabled/)
    await tap(refund)
    await flush()
    expect(textOf(page, '.quote-title')).toBe('退款明细')
    expect(texts(page, '.quote-line')).toEqual(['实付金额¥105', '退回金额¥105'])
    expect(textOf(page, '.quote-note')).toBe('退款原路退回')
    expect(textOf(page, '.confirm-refund')).toBe('确认退款')
    expect(wx.requestsTo('POST', /refund$/)).toHaveLength(0)
    await tap(page.querySelector('.confirm-refund'))
    await flush()
    expect(wx.requestsTo('POST', `/api/v1/orders/${ID}/refund`)[0].header['Idempotency-Key']).toMatch(
      /^[0-9a-f-]{36}$/
    )
    expect(wx.calls.showToast.pop().title).toBe('已申请退款')
    expect(textOf(page, '.status')).toBe('已退款')
    expect(page.querySelector('.refund')).toBeFalsy()
  })

  test('just paid (not landed yet): the pickup code, no word of tickets, no refund yet', async () => {
    wx.route('GET', `/api/v1/orders/${ID}`, () => snackOrder({ status: 'paid', pickup: PICKUP }))
    const page = await openPage('ticket', { id: ID }, flush)
    expect(textOf(page, '.status')).toBe('已支付')
    expect(page.querySelector('.note')).toBeFalsy()
    expect(textOf(page.querySelector('.pickup-card'), '.pickup-code')).toBe('取餐码K7Q2M9')
    expect(page.querySelector('.refund')).toBeFalsy()
    page.instance.onUnload()
  })

  test('picked up: the pickup card says so and no refund is offered', async () => {
    wx.route('GET', `/api/v1/orders/${ID}`, () => snackOrder({ status: 'ticketed', pickup: PICKED_UP }))
    const page = await openPage('ticket', { id: ID }, flush)
    expect(textOf(page.querySelector('.pickup-card'), '.state')).toBe('已领取')
    expect(page.querySelector('.refund')).toBeFalsy()
    expect(page.querySelector('.policy')).toBeFalsy()
    expect(page.querySelector('.actions')).toBeFalsy()
  })

  test('a picked-up refund refused by the service says why', async () => {
    // the order as last seen was not picked up yet; the counter handed the snacks out since
    wx.route('GET', `/api/v1/orders/${ID}`, () => snackOrder({ status: 'ticketed', pickup: PICKUP }))
    wx.route('GET', `/api/v1/orders/${ID}/refund-quote`, () =>
      quote({ refundable: false, refusal: 'snacks_picked_up', refund_fen: 0 })
    )
    const page = await openPage('ticket', { id: ID }, flush)
    await tap(page.querySelector('.refund'))
    await flush()
    expect(textOf(page, '.refusal')).toBe('卖品已领取，不能退款')
    expect(page.querySelector('.confirm-refund')).toBeFalsy()
  })

  test('unpaid: on to its payment, which has no seat words, then to the paid order', async () => {
    let status = 'pending_payment'
    wx.route('GET', `/api/v1/orders/${ID}`, () =>
      snackOrder(status === 'pending_payment' ? { status } : { status, pickup: PICKUP })
    )
    const page = await openPage('ticket', { id: ID }, flush)
    expect(textOf(page, '.status')).toBe('待支付')
    expect(textOf(page, '.pay')).toBe('去支付 ¥105')
    expect(page.querySelector('.refund')).toBeFalsy()
    expect(textOf(page.querySelector('.pickup-card'), '.pending')).toBe('支付成功后生成取餐码')
    await tap(page.querySelector('.pay'))
    expect(wx.calls.navigateTo.pop().url).toBe(`/pages/order/index?order_id=${ID}`)

    wx.route('POST', `/api/v1/orders/${ID}/pay`, () => ({
      order_id: ID,
      provider: 'wechatpay',
      amount_fen: 10500,
      params: WECHAT_PARAMS,
    }))
    wx.requestPayment = (args) => {
      wx.payments.push(args)
      status = 'ticketed'
      Promise.resolve().then(() => args.success({ errMsg: 'requestPayment:ok' }))
    }
    const pay = await openPage('order', { order_id: ID }, flush)
    expect(textOf(pay, '.title')).toBe('影院卖品')
    expect(texts(pay, '.card .muted')).toEqual(['万达影城'])
    expect(pay.querySelector('.seats')).toBeFalsy()
    expect(pay.querySelector('.breakdown')).toBeFalsy()
    expect(textOf(pay, '.countdown')).toMatch(/内完成支付，超时订单将自动取消$/)
    expect(textOf(pay, '.pay')).toBe('微信支付 ¥105')
    await tap(pay.querySelector('.pay'))
    await flush()
    expect(wx.payments).toHaveLength(1)
    expect(wx.calls.redirectTo.pop().url).toBe(`/pages/ticket/index?id=${ID}`)
    pay.instance.onUnload()
  })

  test('unpaid with points: the breakdown has the points and the snacks, no ticket price', async () => {
    const paid = price({ list_fen: 0, snacks_fen: 10500, points_fen: 500, points_used: 500 })
    wx.route('GET', `/api/v1/orders/${ID}`, () => snackOrder({ price: paid, amount_fen: paid.paid_fen }))
    const pay = await openPage('order', { order_id: ID }, flush)
    expect(texts(pay, '.breakdown-line')).toEqual(['积分抵扣（500积分）-¥5', '卖品¥105'])
    expect(textOf(pay, '.amount')).toBe('¥100')
    wx.payResult = 'cancel'
    wx.route('POST', `/api/v1/orders/${ID}/pay`, () => ({
      order_id: ID,
      provider: 'wechatpay',
      amount_fen: 10000,
      params: WECHAT_PARAMS,
    }))
    await tap(pay.querySelector('.pay'))
    await flush()
    expect(textOf(pay, '.error')).toBe('你取消了支付，可以再次支付')
    pay.instance.onUnload()
  })
})
