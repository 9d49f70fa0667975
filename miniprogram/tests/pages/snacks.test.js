/**
 * Snacks (卖品), against the contract (SNACKS_API.md): picked at checkout after the seats (the
 * quote and the order carry `snacks`, the breakdown shows `snacks_fen`), bought alone from the
 * cinema's page (POST /snack-orders, SNACK_ORDERS_API.md, then the usual payment), and the paid
 * order's pickup code with its QR drawn from `pickup.qr`. The pages of a snack-only order once
 * made: snack-orders.test.js.
 */
const { createFakeWx, errorReply, flush } = require('../support/fake-wx')
const { routeCatalogue } = require('../support/catalogue')
const { openPage, textOf, tap } = require('../support/pages')
const { inMinutes, order, price, ticketed, snackOrder, WECHAT_PARAMS } = require('../support/orders')
const { MENU } = require('../support/snacks')

let wx

const PICKUP = { code: 'K7Q2M9', qr: 'SNK1.eyJjIjoiSzdRMk05In0.c2lnbmF0dXJl', picked_up_at: null }
const SNACK_LINES = [
  { id: 7, name: '爆米花（大）', qty: 2, price_fen: 2800 },
  { id: 8, name: '双人观影套餐', qty: 1, price_fen: 4900 },
]

/** The snacks' total for the quote's and order's lines, from the menu (the service prices them). */
function snacksFen(lines) {
  return (lines || []).reduce((sum, l) => sum + MENU.find((s) => s.id === l.id).price_fen * l.qty, 0)
}

async function stepper(page, id, button, times) {
  const picker = page.querySelector('#snack-picker')
  for (let i = 0; i < (times || 1); i += 1) {
    const target = picker.querySelectorAll(`.${button}`).find((el) => el.dom.dataset.id === String(id))
    await tap(target)
  }
  await flush()
}

beforeEach(() => {
  wx = createFakeWx()
  global.wx = wx
  routeCatalogue(wx)
  wx.route('GET', '/api/v1/cinemas/11/snacks', () => ({ items: MENU }))
})

afterEach(() => {
  delete global.wx
})

describe('at checkout', () => {
  beforeEach(() => {
    wx.route('GET', '/api/v1/holds/h1', () => ({
      id: 'h1',
      seats: ['E-7', 'E-8'],
      expires_at: inMinutes(10),
      amount_fen: 9000,
    }))
    wx.route('POST', '/api/v1/holds/h1/quote', (req) => ({
      price: price({ snacks_fen: snacksFen(req.data.snacks) }),
      max_points: 0,
    }))
  })

  test("the cinema's snacks after the seats; the quote, the order and the breakdown carry them", async () => {
    let status = 'pending_payment'
    wx.route('POST', '/api/v1/orders', (req) => {
      const withSnacks = price({ snacks_fen: snacksFen(req.data.snacks) })
      return order({ price: withSnacks, amount_fen: withSnacks.paid_fen, snacks: SNACK_LINES })
    })
    wx.route('POST', '/api/v1/orders/o1/pay', () => ({
      order_id: 'o1',
      provider: 'sandbox',
      amount_fen: 19500,
      params: Object.assign({}, WECHAT_PARAMS, { package: 'prepay_id=sandbox-o1' }),
    }))
    wx.route('GET', '/api/v1/orders/o1', () => order({ status: (status = 'paid') }))

    const page = await openPage('order', { hold_id: 'h1', showtime_id: '7' }, flush)
    await flush()
    const picker = page.querySelector('#snack-picker')
    expect(textOf(picker, '.menu-title')).toBe('加购卖品')
    expect(picker.querySelectorAll('.snack-name').map((el) => el.dom.textContent)).toEqual([
      '爆米花（大）',
      '套餐双人观影套餐',
      '矿泉水',
    ])
    expect(picker.querySelectorAll('.snack-detail')[1].dom.textContent).toBe('可乐×2 + 爆米花（大）×1')
    expect(picker.querySelectorAll('.snack-left').map((el) => el.dom.textContent)).toEqual([
      '仅剩2份',
      '已售罄',
    ])

    await stepper(page, 7, 'plus', 2)
    await stepper(page, 8, 'plus')
    await stepper(page, 9, 'plus') // sold out: nothing changes
    expect(picker.querySelectorAll('.qty').map((el) => el.dom.textContent)).toEqual(['2', '1'])
    expect(wx.requestsTo('POST', '/api/v1/holds/h1/quote').pop().data).toEqual({
      snacks: [
        { id: 7, qty: 2 },
        { id: 8, qty: 1 },
      ],
    })
    expect(page.querySelectorAll('.breakdown-line').map((el) => el.dom.textContent)).toEqual([
      '票价¥90',
      '卖品¥105',
    ])
    expect(textOf(page, '.amount')).toBe('¥195')

    await tap(page.querySelector('.pay'))
    await flush()
    expect(wx.requestsTo('POST', '/api/v1/orders')[0].data).toEqual({
      hold_id: 'h1',
      snacks: [
        { id: 7, qty: 2 },
        { id: 8, qty: 1 },
      ],
    })
    expect(wx.calls.redirectTo.pop().url).toBe('/pages/ticket/index?id=o1')
    page.instance.onUnload()
  })

  test('a snack sold out meanwhile is explained and nothing is paid', async () => {
    wx.route('POST', '/api/v1/orders', () => errorReply(409, 'snack_sold_out', { snack_id: 7, left: 1 }))
    const page = await openPage('order', { hold_id: 'h1', showtime_id: '7' }, flush)
    await flush()
    await stepper(page, 7, 'plus', 2)
    await tap(page.querySelector('.pay'))
    await flush()
    expect(textOf(page, '.error')).toBe('卖品库存不足，仅剩1份')
    expect(wx.requestsTo('POST', /\/pay$/)).toHaveLength(0)
    // fewer, and the next order is another request (a fresh idempotency key)
    wx.route('POST', '/api/v1/orders', () => order({ snacks: [SNACK_LINES[0]] }))
    await stepper(page, 7, 'minus')
    expect(page.data.phase).toBe('ready')
    page.instance.onUnload()
  })
})

describe('alone', () => {
  const ID = 'S11-0a1b2c3d4e5f60'

  test("from the cinema's page: pick, pay, and on to the order with its pickup code", async () => {
    const showtimes = await openPage('showtimes', { cinema_id: '11' }, flush)
    await tap(showtimes.querySelector('.snacks-link'))
    expect(wx.calls.navigateTo.pop().url).toBe('/pages/snacks/index?cinema_id=11')

    let status = 'pending_payment'
    wx.route('POST', '/api/v1/snack-orders', () => snackOrder({ status }))
    wx.route('POST', `/api/v1/orders/${ID}/pay`, () => ({
      order_id: ID,
      provider: 'wechatpay',
      amount_fen: 10500,
      params: WECHAT_PARAMS,
    }))
    wx.route('GET', `/api/v1/orders/${ID}`, () => snackOrder({ status }))
    wx.requestPayment = (args) => {
      wx.payments.push(args)
      status = 'paid'
      Promise.resolve().then(() => args.success({ errMsg: 'requestPayment:ok' }))
    }

    const page = await openPage('snacks', { cinema_id: '11' }, flush)
    await flush()
    expect(textOf(page, '.name')).toBe('万达影城')
    expect(textOf(page, '.bar-pay')).toBe('微信支付')
    await tap(page.querySelector('.bar-pay'))
    expect(wx.calls.showToast.pop().title).toBe('请先选择卖品')
    expect(wx.requestsTo('POST', '/api/v1/snack-orders')).toHaveLength(0)
    await stepper(page, 7, 'plus', 2)
    await stepper(page, 8, 'plus')
    expect(textOf(page, '.bar-amount')).toBe('¥105')
    expect(textOf(page, '.bar-total .muted')).toBe('已选3份')
    await tap(page.querySelector('.bar-pay'))
    await flush()
    const [create] = wx.requestsTo('POST', '/api/v1/snack-orders')
    expect(create.data).toEqual({
      cinema_id: 11,
      snacks: [
        { id: 7, qty: 2 },
        { id: 8, qty: 1 },
      ],
    })
    expect(create.header['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)
    expect(wx.requestsTo('POST', `/api/v1/orders/${ID}/pay`)[0].header['Idempotency-Key']).toMatch(
      /^[0-9a-f-]{36}$/
    )
    expect(wx.payments[0]).toMatchObject({ package: 'prepay_id=p1' })
    expect(wx.calls.showToast.pop().title).toBe('支付成功')
    expect(wx.calls.redirectTo.pop().url).toBe(`/pages/ticket/index?id=${ID}`)
  })

  test("a snack sold out meanwhile shows the service's refusal; a changed cart is a new request", async () => {
    wx.route('POST', '/api/v1/snack-orders', () =>
      errorReply(409, 'snack_sold_out', { snack_id: 7, left: 1 }, 'only 1 left of snack 7')
    )
    const page = await openPage('snacks', { cinema_id: '11' }, flush)
    await flush()
    await stepper(page, 7, 'plus', 2)
    await tap(page.querySelector('.bar-pay'))
    await flush()
    expect(textOf(page, '.error')).toBe('卖品库存不足，仅剩1份')
    expect(wx.requestsTo('POST', /\/pay$/)).toHaveLength(0)
    expect(textOf(page, '.bar-pay')).toBe('微信支付')

    wx.route('POST', '/api/v1/snack-orders', () => snackOrder({ snacks: [SNACK_LINES[0]] }))
    wx.payResult = 'cancel'
    await stepper(page, 7, 'minus')
    expect(page.querySelector('.error')).toBeFalsy()
    await tap(page.querySelector('.bar-pay'))
    await flush()
    const creates = wx.requestsTo('POST', '/api/v1/snack-orders')
    expect(creates.map((r) => r.data.snacks)).toEqual([[{ id: 7, qty: 2 }], [{ id: 7, qty: 1 }]])
    expect(creates[0].header['Idempotency-Key']).not.toBe(creates[1].header['Idempotency-Key'])
  })

  test('an unpaid order left from an earlier visit is cancelled and this cart ordered instead', async () => {
    let made = 0
    wx.route('POST', '/api/v1/snack-orders', () =>
      (made += 1) === 1
        ? errorReply(409, 'unpaid_order_exists', { order_id: 'S11-old' }, 'you have an unpaid order')
        : snackOrder()
    )
    wx.route('POST', '/api/v1/orders/S11-old/cancel', () =>
      snackOrder({ id: 'S11-old', status: 'cancelled' })
    )
    wx.payResult = 'cancel'
    const page = await openPage('snacks', { cinema_id: '11' }, flush)
    await flush()
    await stepper(page, 7, 'plus')
    await tap(page.querySelector('.bar-pay'))
    await flush()
    expect(wx.requestsTo('POST', '/api/v1/orders/S11-old/cancel')).toHaveLength(1)
    const creates = wx.requestsTo('POST', '/api/v1/snack-orders')
    expect(creates).toHaveLength(2)
    expect(creates[0].header['Idempotency-Key']).not.toBe(creates[1].header['Idempotency-Key'])
    expect(wx.requestsTo('POST', `/api/v1/orders/${ID}/pay`)).toHaveLength(1) // this cart's order is paid
  })

  test('the earlier unpaid order cannot be cancelled (its payment is under way): the refusal shows', async () => {
    wx.route('POST', '/api/v1/snack-orders', () =>
      errorReply(409, 'unpaid_order_exists', { order_id: 'S11-old' }, 'you have an unpaid order')
    )
    wx.route('POST', '/api/v1/orders/S11-old/cancel', () =>
      errorReply(409, 'payment_in_progress', {}, 'the payment for this order is being processed')
    )
    const page = await openPage('snacks', { cinema_id: '11' }, flush)
    await flush()
    await stepper(page, 7, 'plus')
    await tap(page.querySelector('.bar-pay'))
    await flush()
    expect(wx.requestsTo('POST', '/api/v1/snack-orders')).toHaveLength(1)
    expect(textOf(page, '.error')).toBeTruthy()
    expect(wx.requestsTo('POST', /\/pay$/)).toHaveLength(0)
    expect(textOf(page, '.bar-pay')).toBe('微信支付')
  })

  test('a cancelled payment keeps the order; changing the cart cancels it and makes a new one', async () => {
    let made = 0
    wx.route('POST', '/api/v1/snack-orders', () => snackOrder({ id: `S11-${(made += 1)}` }))
    wx.route('POST', /^\/api\/v1\/orders\/S11-\d\/pay$/, (req) => ({
      order_id: req.path.split('/')[4],
      provider: 'wechatpay',
      amount_fen: 2800,
      params: WECHAT_PARAMS,
    }))
    wx.route('POST', '/api/v1/orders/S11-1/cancel', () => snackOrder({ id: 'S11-1', status: 'cancelled' }))
    wx.payResult = 'cancel'
    const page = await openPage('snacks', { cinema_id: '11' }, flush)
    await flush()
    await stepper(page, 7, 'plus')
    await tap(page.querySelector('.bar-pay'))
    await flush()
    expect(textOf(page, '.error')).toBe('你取消了支付，可以再次支付')
    // paying again without a change pays the same order with the same key
    await tap(page.querySelector('.bar-pay'))
    await flush()
    expect(wx.requestsTo('POST', '/api/v1/snack-orders')).toHaveLength(1)
    const payKeys = wx.requestsTo('POST', '/api/v1/orders/S11-1/pay').map((r) => r.header['Idempotency-Key'])
    expect(payKeys).toHaveLength(2)
    expect(payKeys[0]).toBe(payKeys[1])
    expect(wx.requestsTo('POST', /\/cancel$/)).toHaveLength(0)

    await stepper(page, 7, 'plus')
    expect(wx.requestsTo('POST', /\/cancel$/).map((r) => r.path)).toEqual(['/api/v1/orders/S11-1/cancel'])
    await tap(page.querySelector('.bar-pay'))
    await flush()
    const creates = wx.requestsTo('POST', '/api/v1/snack-orders')
    expect(creates.map((r) => r.data.snacks)).toEqual([[{ id: 7, qty: 1 }], [{ id: 7, qty: 2 }]])
    expect(creates[0].header['Idempotency-Key']).not.toBe(creates[1].header['Idempotency-Key'])
    expect(wx.requestsTo('POST', '/api/v1/orders/S11-2/pay')).toHaveLength(1)
  })

  test('a cart changed while paying gives up that order only if the payment fails', async () => {
    wx.route('POST', '/api/v1/snack-orders', () => snackOrder())
    wx.route('POST', `/api/v1/orders/${ID}/pay`, () => ({
      order_id: ID,
      provider: 'wechatpay',
      amount_fen: 2800,
      params: WECHAT_PARAMS,
    }))
    wx.route('POST', `/api/v1/orders/${ID}/cancel`, () => snackOrder({ status: 'cancelled' }))
    let sheet
    wx.requestPayment = (args) => {
      sheet = args
    }
    const page = await openPage('snacks', { cinema_id: '11' }, flush)
    await flush()
    await stepper(page, 7, 'plus')
    await tap(page.querySelector('.bar-pay'))
    await flush()
    expect(textOf(page, '.bar-pay')).toBe('支付中…')
    await stepper(page, 7, 'plus')
    expect(wx.requestsTo('POST', /\/cancel$/)).toHaveLength(0)
    sheet.fail({ errMsg: 'requestPayment:fail cancel' })
    await flush()
    expect(wx.requestsTo('POST', /\/cancel$/).map((r) => r.path)).toEqual([`/api/v1/orders/${ID}/cancel`])
  })
})

describe('alone, paid with points', () => {
  const ID = 'S11-0a1b2c3d4e5f60'

  /** The service's snack quote: points pay at most half, refused past that (docs/loyalty.md). */
  function quoteAnswer(req) {
    const snacks = snacksFen(req.data.snacks)
    const max = Math.floor(snacks / 2)
    if (req.data.points > max) return errorReply(409, 'points_over_cap', { max_points: max })
    const points = req.data.points || 0
    return {
      price: price({ list_fen: 0, snacks_fen: snacks, points_fen: points, points_used: points }),
      max_points: max,
    }
  }

  /** Hold back the answers to `path` (made when asked, delivered later): a slow network. */
  function slowAnswers(path) {
    const held = []
    const request = wx.request
    wx.request = (args) => {
      if (new URL(args.url).pathname !== path) return request(args)
      return request(Object.assign({}, args, { success: (res) => held.push(() => args.success(res)) }))
    }
    return {
      held,
      fast() {
        wx.request = request
      },
    }
  }

  function member(points) {
    wx.route('GET', '/api/v1/me/membership', () => ({ member: true, tier: { name: 'V1' }, points }))
  }

  async function switchPoints(page, on) {
    page.querySelector('.points-switch').dispatchEvent('change', { detail: { value: on } })
    await flush()
  }

  beforeEach(() => {
    wx.route('POST', '/api/v1/snack-orders/quote', quoteAnswer)
    wx.route('POST', '/api/v1/snack-orders', (req) => {
      const answer = quoteAnswer(req)
      return snackOrder({ price: answer.price, amount_fen: answer.price.paid_fen })
    })
    wx.route('POST', `/api/v1/orders/${ID}/pay`, () => ({
      order_id: ID,
      provider: 'wechatpay',
      amount_fen: 7500,
      params: WECHAT_PARAMS,
    }))
    wx.route('GET', `/api/v1/orders/${ID}`, () => snackOrder({ status: 'paid' }))
  })

  test('a member with 3000 points switches them on: the total drops and the order spends them', async () => {
    member(3000)
    const page = await openPage('snacks', { cinema_id: '11' }, flush)
    await flush()
    expect(page.querySelector('.points-row')).toBeFalsy() // nothing in the cart yet
    expect(wx.requestsTo('POST', '/api/v1/snack-orders/quote')).toHaveLength(0)
    await stepper(page, 7, 'plus', 2)
    await stepper(page, 8, 'plus')
    // ¥105 could take 5250 points: the balance caps them at 3000
    expect(textOf(page, '.points-text')).toBe('积分抵扣（本单最多可用3000积分）')
    expect(textOf(page, '.bar-amount')).toBe('¥105')
    expect(wx.requestsTo('POST', '/api/v1/snack-orders/quote').pop().data).toEqual({
      cinema_id: 11,
      snacks: [
        { id: 7, qty: 2 },
        { id: 8, qty: 1 },
      ],
    })

    await switchPoints(page, true)
    expect(wx.requestsTo('POST', '/api/v1/snack-orders/quote').pop().data.points).toBe(3000)
    expect(textOf(page, '.points-text')).toBe('积分抵扣¥30（3000积分）')
    expect(textOf(page, '.bar-amount')).toBe('¥75')

    await tap(page.querySelector('.bar-pay'))
    await flush()
    expect(wx.requestsTo('POST', '/api/v1/snack-orders')[0].data).toEqual({
      cinema_id: 11,
      snacks: [
        { id: 7, qty: 2 },
        { id: 8, qty: 1 },
      ],
      points: 3000,
    })
    expect(wx.calls.redirectTo.pop().url).toBe(`/pages/ticket/index?id=${ID}`)
  })

  test('switched on then off: the order spends none and is another request (a fresh key)', async () => {
    member(3000)
    wx.payResult = 'cancel'
    wx.route('POST', `/api/v1/orders/${ID}/cancel`, () => snackOrder({ status: 'cancelled' }))
    const page = await openPage('snacks', { cinema_id: '11' }, flush)
    await stepper(page, 7, 'plus')
    await switchPoints(page, true)
    expect(textOf(page, '.bar-amount')).toBe('¥14')
    await tap(page.querySelector('.bar-pay'))
    await flush()
    expect(textOf(page, '.error')).toBe('你取消了支付，可以再次支付')

    // the order made with points is given up (its points come back) and the next one has none
    await switchPoints(page, false)
    expect(textOf(page, '.bar-amount')).toBe('¥28')
    expect(wx.requestsTo('POST', /\/cancel$/).map((r) => r.path)).toEqual([`/api/v1/orders/${ID}/cancel`])
    await tap(page.querySelector('.bar-pay'))
    await flush()
    const creates = wx.requestsTo('POST', '/api/v1/snack-orders')
    expect(creates.map((r) => r.data.points)).toEqual([1400, undefined])
    expect(creates[0].header['Idempotency-Key']).not.toBe(creates[1].header['Idempotency-Key'])
  })

  test('a non-member sees no points row and orders without points', async () => {
    wx.route('GET', '/api/v1/me/membership', () => ({ member: false, tier: null, points: 0 }))
    const page = await openPage('snacks', { cinema_id: '11' }, flush)
    await stepper(page, 7, 'plus', 2)
    expect(page.querySelector('.points-row')).toBeFalsy()
    expect(page.querySelector('.points-switch')).toBeFalsy()
    expect(wx.requestsTo('GET', '/api/v1/me/membership')).toHaveLength(1)
    expect(wx.requestsTo('POST', '/api/v1/snack-orders/quote')).toHaveLength(0)
    await tap(page.querySelector('.bar-pay'))
    await flush()
    expect(wx.requestsTo('POST', '/api/v1/snack-orders')[0].data).toEqual({
      cinema_id: 11,
      snacks: [{ id: 7, qty: 2 }],
    })
  })

  test('a membership that cannot be read: no points row, the cart as today', async () => {
    wx.route('GET', '/api/v1/me/membership', () => errorReply(404, 'not_a_member'))
    const page = await openPage('snacks', { cinema_id: '11' }, flush)
    await stepper(page, 7, 'plus')
    expect(page.querySelector('.points-row')).toBeFalsy()
    expect(page.querySelector('.error')).toBeFalsy()
    expect(textOf(page, '.bar-amount')).toBe('¥28')
  })

  test("a cart change quotes again; the older cart's late answer is ignored", async () => {
    member(3000)
    const page = await openPage('snacks', { cinema_id: '11' }, flush)
    const slow = slowAnswers('/api/v1/snack-orders/quote')
    await stepper(page, 7, 'plus') // ¥28: at most 1400 points, answered late
    slow.fast()
    await stepper(page, 8, 'plus') // ¥77: 3850, capped at 3000 by the balance
    expect(wx.requestsTo('POST', '/api/v1/snack-orders/quote').map((r) => r.data.snacks.length)).toEqual([
      1, 2,
    ])
    expect(textOf(page, '.points-text')).toBe('积分抵扣（本单最多可用3000积分）')
    expect(slow.held).toHaveLength(1)
    slow.held.forEach((answer) => answer())
    await flush()
    expect(textOf(page, '.points-text')).toBe('积分抵扣（本单最多可用3000积分）')

    await switchPoints(page, true)
    expect(textOf(page, '.bar-amount')).toBe('¥47')
    await tap(page.querySelector('.bar-pay'))
    await flush()
    expect(wx.requestsTo('POST', '/api/v1/snack-orders')[0].data.points).toBe(3000)
  })

  test('"pay" right after a change waits for that cart\'s quote and spends what it allows', async () => {
    member(3000)
    const page = await openPage('snacks', { cinema_id: '11' }, flush)
    await stepper(page, 7, 'plus', 2) // ¥56: 2800 points
    await switchPoints(page, true)
    const slow = slowAnswers('/api/v1/snack-orders/quote')
    await stepper(page, 7, 'minus') // ¥28: 1400 points, answered late
    const paying = page.instance.pay()
    await flush()
    expect(wx.requestsTo('POST', '/api/v1/snack-orders')).toHaveLength(0)
    slow.fast()
    slow.held.forEach((answer) => answer())
    await paying
    await flush()
    expect(wx.requestsTo('POST', '/api/v1/snack-orders')[0].data).toMatchObject({
      snacks: [{ id: 7, qty: 1 }],
      points: 1400,
    })
  })

  test('a refused quote is shown and the cart is bought without points', async () => {
    member(3000)
    const page = await openPage('snacks', { cinema_id: '11' }, flush)
    await stepper(page, 7, 'plus')
    expect(textOf(page, '.points-text')).toBe('积分抵扣（本单最多可用1400积分）')
    // the cap fell meanwhile: the quote with points is refused
    wx.route('POST', '/api/v1/snack-orders/quote', (req) =>
      req.data.points ? errorReply(409, 'points_over_cap', { max_points: 1000 }) : quoteAnswer(req)
    )
    await switchPoints(page, true)
    expect(textOf(page, '.error')).toBe('这笔订单最多可用1000积分。本单暂不使用积分')
    expect(page.querySelector('.points-row')).toBeFalsy()
    expect(textOf(page, '.bar-amount')).toBe('¥28')
    expect(textOf(page, '.bar-pay')).toBe('微信支付')
    await tap(page.querySelector('.bar-pay'))
    await flush()
    expect(wx.requestsTo('POST', '/api/v1/snack-orders')[0].data).toEqual({
      cinema_id: 11,
      snacks: [{ id: 7, qty: 1 }],
    })
    expect(wx.calls.redirectTo.pop().url).toBe(`/pages/ticket/index?id=${ID}`)
  })

  test('the service busy: the quote refused, no points row, buying goes on without them', async () => {
    member(3000)
    wx.route('POST', '/api/v1/snack-orders/quote', () => errorReply(503, 'upstream_unavailable'))
    const page = await openPage('snacks', { cinema_id: '11' }, flush)
    await stepper(page, 7, 'plus')
    expect(page.querySelector('.points-row')).toBeFalsy()
    expect(textOf(page, '.error')).toBe('服务暂时不可用，请稍后再试。本单暂不使用积分')
    await tap(page.querySelector('.bar-pay'))
    await flush()
    expect(wx.requestsTo('POST', '/api/v1/snack-orders')[0].data.points).toBeUndefined()
    expect(wx.calls.redirectTo.pop().url).toBe(`/pages/ticket/index?id=${ID}`)
  })
})

describe('pickup', () => {
  test('a paid snacks order shows its snacks, the pickup code and its QR', async () => {
    wx.route('GET', '/api/v1/orders/s1', () =>
      ticketed({
        id: 's1',
        showtime: null,
        seats: [],
        tickets: [],
        amount_fen: 10500,
        snacks: SNACK_LINES,
        pickup: PICKUP,
      })
    )
    const page = await openPage('ticket', { id: 's1' }, flush)
    expect(textOf(page, '.title')).toBe('影院卖品')
    const card = page.querySelector('.pickup-card')
    expect(card.querySelectorAll('.line').map((el) => el.dom.textContent)).toEqual([
      '爆米花（大）×2¥56',
      '双人观影套餐×1¥49',
    ])
    expect(textOf(card, '.pickup-code')).toBe('取餐码K7Q2M9')
    expect(textOf(card, '.state')).toBe('待领取')
    // drawn on the phone from the signed text, not downloaded
    const qr = card.instance.data.qr
    expect(qr).toMatch(/^data:image\/gif;base64,/)
    expect(wx.downloads).toHaveLength(0)
    await tap(card.querySelector('.pickup-qr'))
    expect(wx.calls.previewImage.pop()).toMatchObject({ urls: [qr] })
    // no seats: nothing to exchange
    expect(page.querySelector('.exchange')).toBeFalsy()
  })

  test('tickets with snacks show both; picked-up snacks say so; unpaid ones have no code yet', async () => {
    wx.route('GET', /^\/api\/v1\/tickets\/\w+\/qr.png$/, () => 'png')
    wx.route('GET', '/api/v1/orders/o1', () =>
      ticketed({
        snacks: SNACK_LINES,
        pickup: Object.assign({}, PICKUP, { picked_up_at: '2030-01-01T19:10:00+08:00' }),
      })
    )
    const page = await openPage('ticket', { id: 'o1' }, flush)
    expect(page.querySelectorAll('.ticket')).toHaveLength(2)
    expect(textOf(page.querySelector('.pickup-card'), '.state')).toBe('已领取')

    wx.route('GET', '/api/v1/orders/o2', () => order({ id: 'o2', snacks: SNACK_LINES }))
    const unpaid = await openPage('order', { order_id: 'o2' }, flush)
    const card = unpaid.querySelector('.pickup-card')
    expect(card.querySelectorAll('.line')).toHaveLength(2)
    expect(textOf(card, '.pending')).toBe('支付成功后生成取餐码')
    unpaid.instance.onUnload()
  })
})
