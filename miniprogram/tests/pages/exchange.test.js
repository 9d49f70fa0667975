/**
 * 改签 (exchange), the whole journey: from the ticket page to another showtime of the movie at
 * the same cinema, seats picked on the seat page in exchange mode (as many as the order has),
 * the confirmation with the difference and the member's free quota, a dearer exchange's second
 * payment through WeChat Pay, and the new tickets. Refusals and the cut-off are explained.
 */
const { createFakeWx, reply, errorReply, flush } = require('../support/fake-wx')
const { routeCatalogue, SHOWTIMES } = require('../support/catalogue')
const { bigHall, BIG_HALL_PRICES, seatsAnswer } = require('../support/halls')
const { openPage, textOf, tap } = require('../support/pages')
const { inMinutes, ticketed, TICKETS, WECHAT_PARAMS } = require('../support/orders')

let wx

// Another showtime of 流浪地球 at 万达影城 (the order's is showtime 7), and one at another cinema.
const LATER = Object.assign({}, SHOWTIMES[0], {
  id: 10,
  hall_name: '3号厅',
  starts_at: '2030-01-01T21:40:00+08:00',
  ends_at: '2030-01-01T23:40:00+08:00',
})

/** The service's exchange quote for o1 -> h2: dearer by 20 yuan, the member's free exchange. */
function quoteAnswer(extra) {
  return Object.assign(
    {
      order_id: 'o1',
      from_showtime_id: 7,
      to_showtime_id: 10,
      seats: ['C-3', 'C-4'],
      old_amount_fen: 9000,
      new_amount_fen: 11000,
      difference_fen: 2000,
      fee_fen: 0,
      free_exchange: true,
      waived_fee_fen: 600,
      free_exchanges_left: 2,
      pay_fen: 2000,
      refund_fen: 0,
      deadline: '2030-01-01T19:00:00+08:00',
    },
    extra || {}
  )
}

/** The ticketed order o1 and the hold h2 on two seats of showtime 10. */
function routeTicketedAndHold() {
  wx.route('GET', '/api/v1/orders/o1', () => ticketed())
  wx.route('GET', '/api/v1/holds/h2', () => ({
    id: 'h2',
    seats: ['C-3', 'C-4'],
    expires_at: inMinutes(15),
    amount_fen: 11000,
  }))
}

function exchangeAnswer(state, extra) {
  const moved = [
    Object.assign({}, TICKETS[0], { live: false }),
    Object.assign({}, TICKETS[1], { live: false }),
    { seat: 'C-3', code: 'N1N1N1', price_fen: 5500, live: true, qr_url: '/api/v1/tickets/N1N1N1/qr.png' },
    { seat: 'C-4', code: 'N2N2N2', price_fen: 5500, live: true, qr_url: '/api/v1/tickets/N2N2N2/qr.png' },
  ]
  const exchange = Object.assign(
    {
      state,
      from_showtime_id: 7,
      to_showtime_id: 10,
      old_amount_fen: 9000,
      new_amount_fen: 11000,
      fee_fen: 0,
      pay_fen: 2000,
      refund_fen: 0,
      pay_params: state === 'paying' ? WECHAT_PARAMS : null,
    },
    extra || {}
  )
  return Object.assign(ticketed(state === 'paying' ? {} : { tickets: moved }), { exchange })
}

beforeEach(() => {
  wx = createFakeWx()
  global.wx = wx
  routeCatalogue(wx)
  wx.route('GET', '/api/v1/showtimes', (req) => ({
    items: SHOWTIMES.concat([LATER]).filter(
      (s) => s.movie_id === Number(req.query.movie_id) && s.cinema_id === Number(req.query.cinema_id)
    ),
  }))
  wx.route('GET', '/api/v1/showtimes/10', () => LATER)
  wx.route('GET', /^\/api\/v1\/tickets\/\w+\/qr.png$/, () => 'png')
  wx.route('GET', '/api/v1/me/membership', () => ({
    member: true,
    tier: { name: 'V3', free_exchanges_per_month: 2 },
    points: 0,
  }))
})

afterEach(() => {
  delete global.wx
})

test('ticket -> another showtime -> seats in exchange mode -> confirm, pay the difference -> new tickets', async () => {
  let exchanged = false
  wx.route('GET', '/api/v1/orders/o1', () => (exchanged ? exchangeAnswer('done') : ticketed()))

  // 1. The ticket page offers 改签 and explains until when.
  const ticket = await openPage('ticket', { id: 'o1' }, flush)
  expect(textOf(ticket, '.exchange')).toBe('改签')
  expect(ticket.querySelectorAll('.policy-text')[1].dom.textContent).toBe(
    '01-01 19:00前可改签本片其他场次（限一次）'
  )
  await tap(ticket.querySelector('.exchange'))
  expect(wx.calls.navigateTo.pop().url).toBe('/pages/exchange/index?order_id=o1')

  // 2. Other showtimes of the movie at the same cinema; not the order's own.
  const pick = await openPage('exchange', { order_id: 'o1' }, flush)
  expect(textOf(pick, '.current .title')).toBe('流浪地球')
  expect(pick.querySelectorAll('.current .muted')[1].dom.textContent).toBe('01-01 19:30 · E排7座 E排8座')
  const rows = pick.querySelectorAll('.showtime')
  expect(rows).toHaveLength(1)
  expect(textOf(pick, '.showtime .start')).toBe('21:40')
  expect(wx.requestsTo('GET', '/api/v1/showtimes')[0].query).toMatchObject({ movie_id: '1', cinema_id: '11' })
  await tap(rows[0])
  expect(wx.calls.navigateTo.pop().url).toBe('/pages/seats/index?showtime_id=10&exchange=o1&count=2')

  // 3. The seat page in exchange mode: two seats, held, on to the confirmation.
  wx.route('GET', '/api/v1/showtimes/10/seats', () => seatsAnswer(10, bigHall(), BIG_HALL_PRICES))
  wx.route('POST', '/api/v1/showtimes/10/holds', (req) => ({
    id: 'h2',
    seats: req.data.seats,
    expires_at: inMinutes(15),
    amount_fen: 11000,
  }))
  const seats = await openPage('seats', { showtime_id: '10', exchange: 'o1', count: '2' }, flush)
  expect(textOf(seats, '.exchange-banner')).toBe('改签：请选择2个座位，与原订单座位数相同')
  const map = seats.querySelector('#map')
  await tap(map.querySelector('#seat-C-3'))
  await tap(map.querySelector('#seat-C-4'))
  await tap(map.querySelector('.confirm-button'))
  await flush()
  expect(wx.calls.navigateTo.pop().url).toBe(
    '/pages/exchange-confirm/index?order_id=o1&hold_id=h2&showtime_id=10'
  )

  // 4. The confirmation: old and new, the difference, the member's free quota.
  wx.route('GET', '/api/v1/holds/h2', () => ({
    id: 'h2',
    seats: ['C-3', 'C-4'],
    expires_at: inMinutes(15),
    amount_fen: 11000,
  }))
  wx.route('GET', '/api/v1/orders/o1/exchange-quote', () => quoteAnswer())
  let calls = 0
  wx.route('POST', '/api/v1/orders/o1/exchange', () => {
    calls += 1
    if (calls === 1) return reply(202, exchangeAnswer('paying'))
    exchanged = true
    return exchangeAnswer('done')
  })
  const confirm = await openPage(
    'exchange-confirm',
    { order_id: 'o1', hold_id: 'h2', showtime_id: '10' },
    flush
  )
  expect(textOf(confirm, '.old-when')).toBe('01-01 19:30')
  expect(textOf(confirm, '.new-when')).toBe('01-01 21:40')
  expect(textOf(confirm, '.seats')).toBe('C排3座 C排4座')
  // The quote, asked before confirming: the difference, the free exchange, what will be paid.
  expect(wx.requestsTo('GET', '/api/v1/orders/o1/exchange-quote')[0].query).toEqual({ hold_id: 'h2' })
  expect(wx.requestsTo('POST', '/api/v1/orders/o1/exchange')).toHaveLength(0)
  expect(textOf(confirm, '.difference')).toBe('需补差价¥20')
  expect(textOf(confirm, '.fee')).toBe('会员免费改签（本月剩余2次）')
  expect(textOf(confirm, '.total-label')).toBe('需支付')
  expect(textOf(confirm, '.total-value')).toBe('¥20')
  expect(textOf(confirm, '.note')).toBe('01-01 19:00前可改签，以上按当前座位和会员额度计算')
  expect(textOf(confirm, '.confirm')).toBe('确认改签并补差价')
  await tap(confirm.querySelector('.confirm'))
  await flush()

  // The second payment went through WeChat Pay; the same hold was asked again with a fresh key.
  expect(wx.payments).toHaveLength(1)
  expect(wx.payments[0]).toMatchObject({ package: 'prepay_id=p1', paySign: 's' })
  const posts = wx.requestsTo('POST', '/api/v1/orders/o1/exchange')
  expect(posts.map((r) => r.data)).toEqual([{ hold_id: 'h2' }, { hold_id: 'h2' }])
  expect(posts[0].header['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)
  expect(posts[1].header['Idempotency-Key']).not.toBe(posts[0].header['Idempotency-Key'])
  expect(textOf(confirm, '.done-title')).toBe('改签成功')
  expect(confirm.querySelectorAll('.done .line').map((el) => el.dom.textContent)).toEqual([
    '手续费免手续费',
    '已补差价¥20',
  ])
  await tap(confirm.querySelector('.open-tickets'))
  expect(wx.calls.redirectTo.pop().url).toBe('/pages/ticket/index?id=o1')
  confirm.instance.onUnload()

  // 5. The new tickets; the old ones marked exchanged, and no second exchange offered.
  const after = await openPage('ticket', { id: 'o1' }, flush)
  expect(after.querySelectorAll('.ticket .seat').map((el) => el.dom.textContent)).toEqual([
    'E排7座',
    'E排8座',
    'C排3座',
    'C排4座',
  ])
  expect(after.querySelectorAll('.ticket.void')).toHaveLength(2)
  expect(textOf(after, '.ticket.void .muted')).toBe('已改签')
  await tap(after.querySelector('.exchange'))
  expect(wx.calls.showToast.pop().title).toBe('每个订单只能改签一次')
  expect(wx.calls.navigateTo).toHaveLength(0)
})

test('a cheaper exchange refunds the difference; a cinema fee is shown as charged', async () => {
  wx.route('GET', '/api/v1/orders/o1', () => ticketed())
  wx.route('GET', '/api/v1/me/membership', () => ({ member: false, tier: null, points: 0 }))
  wx.route('GET', '/api/v1/holds/h2', () => ({
    id: 'h2',
    seats: ['C-3', 'C-4'],
    expires_at: inMinutes(15),
    amount_fen: 8000,
  }))
  const cheaper = { new_amount_fen: 8000, fee_fen: 500, pay_fen: 0, refund_fen: 500 }
  wx.route('GET', '/api/v1/orders/o1/exchange-quote', () =>
    quoteAnswer(Object.assign({ difference_fen: -1000, free_exchange: false, waived_fee_fen: 0 }, cheaper))
  )
  wx.route('POST', '/api/v1/orders/o1/exchange', () => exchangeAnswer('done', cheaper))
  const page = await openPage('exchange-confirm', { order_id: 'o1', hold_id: 'h2', showtime_id: '10' }, flush)
  expect(textOf(page, '.difference')).toBe('退还差价¥10')
  expect(textOf(page, '.fee')).toBe('¥5')
  expect(textOf(page, '.total-label')).toBe('将退还')
  expect(textOf(page, '.total-value')).toBe('¥5（原路退回）')
  expect(textOf(page, '.confirm')).toBe('确认改签')
  await tap(page.querySelector('.confirm'))
  await flush()
  expect(wx.payments).toHaveLength(0)
  expect(page.querySelectorAll('.done .line').map((el) => el.dom.textContent)).toEqual([
    '手续费¥5',
    '退还差价¥5（原路退回）',
  ])
  page.instance.onUnload()
})

test("the quote's refusal is explained and the button stays off; cancel releases the new seats", async () => {
  wx.route('GET', '/api/v1/orders/o1', () => ticketed())
  wx.route('GET', '/api/v1/holds/h2', () => ({
    id: 'h2',
    seats: ['C-3'],
    expires_at: inMinutes(15),
    amount_fen: 5500,
  }))
  wx.route('GET', '/api/v1/orders/o1/exchange-quote', () => errorReply(409, 'seat_count_differs'))
  wx.route('POST', '/api/v1/orders/o1/exchange', () => errorReply(409, 'seat_count_differs'))
  wx.route('DELETE', '/api/v1/holds/h2', () => null)
  const page = await openPage('exchange-confirm', { order_id: 'o1', hold_id: 'h2', showtime_id: '10' }, flush)
  expect(textOf(page, '.error')).toBe('改签需选择与原订单相同数量的座位')
  expect(page.querySelector('.confirm.disabled')).toBeTruthy()
  expect(textOf(page, '.confirm')).toBe('无法改签')
  expect(page.querySelector('.total')).toBeFalsy()
  await tap(page.querySelector('.confirm'))
  await flush()
  expect(wx.requestsTo('POST', '/api/v1/orders/o1/exchange')).toHaveLength(0)
  await tap(page.querySelector('.cancel'))
  await flush()
  expect(wx.requestsTo('DELETE', '/api/v1/holds/h2')).toHaveLength(1)
  expect(wx.calls.navigateBack).toHaveLength(1)
})

test('past the cut-off the quote refuses in Chinese', async () => {
  routeTicketedAndHold()
  wx.route('GET', '/api/v1/orders/o1/exchange-quote', () =>
    errorReply(409, 'exchange_closed', { deadline: '2030-01-01T19:00:00+08:00' })
  )
  const page = await openPage('exchange-confirm', { order_id: 'o1', hold_id: 'h2', showtime_id: '10' }, flush)
  expect(page.data.phase).toBe('refused')
  expect(textOf(page, '.error')).toBe('已过改签截止时间，不能再改签了')
  expect(page.querySelector('.confirm.disabled')).toBeTruthy()
  page.instance.onUnload()
})

test('a free exchange taken meanwhile by another order: the refusal, then the fee quoted again', async () => {
  routeTicketedAndHold()
  let asked = 0
  wx.route('GET', '/api/v1/orders/o1/exchange-quote', () => {
    asked += 1
    if (asked === 1) return quoteAnswer()
    return quoteAnswer({ fee_fen: 600, free_exchange: false, free_exchanges_left: 0, pay_fen: 2600 })
  })
  wx.route('POST', '/api/v1/orders/o1/exchange', () => errorReply(409, 'free_exchange_used'))
  const page = await openPage('exchange-confirm', { order_id: 'o1', hold_id: 'h2', showtime_id: '10' }, flush)
  expect(textOf(page, '.fee')).toBe('会员免费改签（本月剩余2次）')
  await tap(page.querySelector('.confirm'))
  await flush()
  expect(textOf(page, '.fee')).toBe('¥6')
  expect(textOf(page, '.total-value')).toBe('¥26')
  expect(page.data.phase).toBe('ready')
  page.instance.onUnload()
})

test('past the cut-off the ticket page does not offer it', async () => {
  const soon = new Date(Date.now() + 20 * 60000 + 8 * 3600000).toISOString().slice(0, 19) + '+08:00'
  wx.route('GET', '/api/v1/orders/o1', () =>
    ticketed({ showtime: Object.assign({}, ticketed().showtime, { starts_at: soon }) })
  )
  const page = await openPage('ticket', { id: 'o1' }, flush)
  expect(page.querySelector('.exchange.disabled')).toBeTruthy()
  await tap(page.querySelector('.exchange'))
  expect(wx.calls.showToast.pop().title).toBe('已过改签时间')
  expect(wx.calls.navigateTo).toHaveLength(0)
})
