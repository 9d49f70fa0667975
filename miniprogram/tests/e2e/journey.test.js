/**
 * The moviegoer's journey through the real pages against a real seatcore service (started by
 * global-setup.js with `seatcore demo`), through the Node `wx` shim.
 *
 * Steps run in order and share what they found (the user, a showtime, a hold). A step whose
 * API the service does not offer yet (checked against its OpenAPI document) is skipped with
 * the missing paths in its name; the whole file is skipped, with the reason, when the service
 * could not be started.
 */
const fs = require('fs')
const config = require('../../config')
const { createClient } = require('../../lib/api')
const { seatIdLabel } = require('../../lib/format')
const { outcomeLines } = require('../../lib/exchange')
const { createNodeWx } = require('../support/wx-node')
const services = require('../../lib/services')
const pages = require('../support/pages')

const { textOf, tap, classesOf } = pages

const URL_ = process.env.SEATCORE_E2E_URL
const PATHS = JSON.parse(process.env.SEATCORE_E2E_PATHS || '[]')
const SKIP = process.env.SEATCORE_E2E_SKIP
const STEP_TIMEOUT_MS = 30000

const skipped = []

// Path parameters compare by position, not name: /orders/{id} and /orders/{order_id} are one path.
const shape = (p) => p.replace(/\{[^}]*\}/g, '{}')
const OFFERED = new Set(PATHS.map(shape))

/** `test` when the service offers every path, else `test.skip` naming what is missing. */
function step(name, paths, fn) {
  const missing = URL_ ? paths.filter((p) => !OFFERED.has(shape(p))) : ['a running service']
  if (missing.length) {
    skipped.push(`${name}: needs ${missing.join(', ')}`)
    test.skip(`${name} [needs ${missing.join(', ')}]`, fn)
  } else {
    test(name, fn, STEP_TIMEOUT_MS)
  }
}

async function waitFor(check, what, timeoutMs) {
  const deadline = Date.now() + (timeoutMs || 10000)
  let last
  while (Date.now() < deadline) {
    try {
      last = await check()
      if (last) return last
    } catch (err) {
      last = err
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`)
}

const run = Date.now().toString(36)
const shared = {}
const opened = []

/** Open a page and remember it, so afterAll can close it (and its live socket) before jsdom goes. */
async function openPage(name, query) {
  const page = await pages.openPage(name, query)
  opened.push(page)
  return page
}
let alice
let bob

beforeAll(() => {
  if (SKIP) console.warn(`e2e skipped: the seatcore service could not be started:\n${SKIP}`)
  else if (skipped.length) console.warn(`e2e steps waiting for the service:\n  ${skipped.join('\n  ')}`)
  if (!URL_) return
  config.serviceUrl = URL_
  // Two moviegoers: the shim's wx.login already answers each one's dev code.
  config.devLoginName = ''
  alice = createNodeWx({ user: `alice-${run}` })
  bob = createNodeWx({ user: `bob-${run}` })
  global.wx = alice
})

afterAll(() => {
  opened.forEach((page) => page.detach())
  if (alice) alice.closeAll()
  if (bob) bob.closeAll()
})

step('signs in from Mine with wx.login', ['/api/v1/auth/wx-login'], async () => {
  const page = await openPage('mine')
  expect(textOf(page, '.sign-in')).toBe('微信登录')
  await tap(page.querySelector('.sign-in'))
  // the first call of a freshly started service may take a while on a busy machine
  await waitFor(() => textOf(page, '.name') === `alice-${run}`, 'the signed-in name', 20000)
})

step(
  'home shows the hot carousel and the films now showing',
  ['/api/v1/movies/hot', '/api/v1/movies'],
  async () => {
    const page = await openPage('home')
    await waitFor(() => !page.data.loading, 'the home page to load')
    expect(page.data.error).toBe('')
    expect(page.querySelectorAll('.hot').length).toBeGreaterThan(0)
    expect(page.querySelectorAll('.listed').length).toBeGreaterThan(0)
    shared.movie = page.data.hot[0]
  }
)

step(
  'movie detail: want to see it, then find it in my favourites',
  ['/api/v1/movies/{id}', '/api/v1/movies/{id}/want', '/api/v1/me/favourites'],
  async () => {
    const page = await openPage('movie', { id: String(shared.movie.id) })
    expect(textOf(page, '.title')).toBe(shared.movie.title)
    const before = page.data.wantCount
    if (page.data.wanted) throw new Error('a fresh user already wants this movie')
    await tap(page.querySelector('.want-button'))
    await waitFor(() => page.data.wanted, 'want to see')
    expect(page.data.wantCount).toBe(before + 1)
    const favourites = await openPage('favourites')
    await waitFor(() => !favourites.data.loading, 'favourites')
    expect(favourites.data.movies.map((m) => m.id)).toContain(shared.movie.id)
  }
)

step(
  "a cinema's showtimes by date",
  ['/api/v1/cities', '/api/v1/cinemas', '/api/v1/cinemas/{id}', '/api/v1/showtimes'],
  async () => {
    const cinemas = await openPage('cinemas')
    await waitFor(() => cinemas.data.cinemas.length, 'cinemas of the first city')
    const cinema = cinemas.data.cinemas[0]
    await tap(cinemas.querySelector('.cinema'))
    expect(alice.calls.navigateTo.pop().url).toBe(`/pages/showtimes/index?cinema_id=${cinema.id}`)
    const page = await openPage('showtimes', { cinema_id: String(cinema.id) })
    expect(textOf(page, '.title')).toBe(cinema.name)
    let open = null
    for (let i = 0; i < page.data.dates.length && !open; i += 1) {
      await page.instance.showDate(page.data.dates[i].date)
      const items = [].concat(...page.data.groups.map((g) => g.items))
      open = items.find((item) => item.open)
    }
    expect(open).toBeTruthy()
    expect(open.start).toMatch(/^\d\d:\d\d$/)
    shared.showtimeId = open.id
    shared.cinemaId = cinema.id
    shared.cinemaName = cinema.name
  }
)

step(
  'the seat map of a showtime opens and goes live',
  ['/api/v1/showtimes/{id}', '/api/v1/showtimes/{id}/seats'],
  async () => {
    const page = await openPage('seats', { showtime_id: String(shared.showtimeId) })
    const map = page.querySelector('#map')
    await waitFor(() => map.data.phase === 'ready', 'the seat map')
    const showtime = page.data.showtime
    expect(map.querySelectorAll('.seat')).toHaveLength(showtime.seat_count)
    await waitFor(() => alice.sockets.length && alice.sockets[0].socket.readyState === 1, 'the live socket')
    expect(map.data.live).toBe('')
    shared.seats = { page, map }
  }
)

step(
  'best seats for 2 are held and shown as picked, then on to the order',
  ['/api/v1/showtimes/{id}/holds', '/api/v1/holds/{hold_id}'],
  async () => {
    const { map } = shared.seats
    await tap(map.querySelectorAll('.best-button')[1])
    await waitFor(() => map.data.selection.length === 2, 'the best two seats', 10000)
    expect(map.data.refusal).toBe('')
    const picked = map.data.selection.map((s) => s.id)
    picked.forEach((id) => expect(classesOf(map.querySelector(`#seat-${id}`))).toContain('picked'))
    await tap(map.querySelector('.confirm-button'))
    const nav = await waitFor(() => alice.calls.navigateTo.pop(), 'navigation to the order page')
    expect(nav.url).toMatch(/^\/pages\/order\/index\?hold_id=[^&]+&showtime_id=\d+$/)
    shared.holdId = decodeURIComponent(nav.url.match(/hold_id=([^&]+)/)[1])
    shared.picked = picked
  }
)

step(
  "a second client's hold appears on the first one's map live",
  ['/api/v1/showtimes/{id}/holds'],
  async () => {
    const { map } = shared.seats
    const other = createClient({ wx: bob, baseUrl: URL_ })
    const hold = await other.post(
      `/api/v1/showtimes/${shared.showtimeId}/holds`,
      { best: 2 },
      { auth: 'required' }
    )
    await waitFor(
      () => hold.seats.every((id) => classesOf(map.querySelector(`#seat-${id}`)).includes('held')),
      "bob's seats to turn held on alice's map"
    )
  }
)

step(
  'pays through the sandbox provider and finds the order in My orders',
  ['/api/v1/orders', '/api/v1/orders/{id}/pay', '/api/v1/orders/{id}', '/api/v1/me/orders'],
  async () => {
    const page = await openPage('order', { hold_id: shared.holdId, showtime_id: String(shared.showtimeId) })
    await waitFor(() => page.data.phase === 'ready', 'the order page')
    await tap(page.querySelector('.pay'))
    const nav = await waitFor(() => alice.calls.redirectTo.pop(), 'the tickets page', 20000)
    const orderId = nav.url.split('id=')[1]
    page.instance.onUnload()
    const orders = await openPage('orders')
    await waitFor(() => orders.data.orders.some((o) => String(o.id) === orderId), 'the order in My orders')
    const mine = orders.data.orders.find((o) => String(o.id) === orderId)
    expect(['paid', 'ticketed']).toContain(mine.status)
    expect(mine.seats.split(' ').sort()).toEqual(shared.picked.map((id) => seatIdLabel(id, 'zh')).sort())
    shared.orderId = orderId
  }
)

step(
  '猜你喜欢 follows the purchase on the paid order',
  ['/api/v1/orders/{id}', '/api/v1/recommendations'],
  async () => {
    const page = await openPage('ticket', { id: shared.orderId })
    await waitFor(() => page.data.paid, 'the paid order')
    const row = page.querySelector('.after-purchase')
    await waitFor(() => row.data.picks.length, 'the recommendations')
    expect(textOf(row, '.picks-title')).toBe('猜你喜欢')
    row.data.picks.forEach((pick) => expect(pick.title).toBeTruthy())
  }
)

step(
  '改签: the order moves to seats held on another showtime of the movie at the same cinema',
  [
    '/api/v1/orders/{id}',
    '/api/v1/showtimes',
    '/api/v1/showtimes/{id}/holds',
    '/api/v1/orders/{id}/exchange-quote',
    '/api/v1/orders/{id}/exchange',
  ],
  async () => {
    const ticket = await openPage('ticket', { id: shared.orderId })
    await waitFor(() => ticket.data.order && ticket.data.order.status === 'ticketed', 'the tickets')
    expect(ticket.data.exchange.allowed).toBe(true)
    await tap(ticket.querySelector('.exchange'))
    expect(alice.calls.navigateTo.pop().url).toBe(`/pages/exchange/index?order_id=${shared.orderId}`)

    const pick = await openPage('exchange', { order_id: shared.orderId })
    await waitFor(() => pick.data.phase === 'ready', 'the exchange page')
    let other = null
    for (let i = 0; i < pick.data.dates.length && !other; i += 1) {
      await pick.instance.showDate(pick.data.dates[i].date)
      other = pick.data.showtimes.find((s) => s.open)
    }
    expect(other).toBeTruthy()
    expect(other.id).not.toBe(shared.showtimeId)
    await tap(pick.querySelectorAll('.showtime').find((el) => el.dom.dataset.id === String(other.id)))
    const toSeats = alice.calls.navigateTo.pop().url
    expect(toSeats).toBe(`/pages/seats/index?showtime_id=${other.id}&exchange=${shared.orderId}&count=2`)

    const seats = await openPage('seats', {
      showtime_id: String(other.id),
      exchange: shared.orderId,
      count: '2',
    })
    const map = seats.querySelector('#map')
    await waitFor(() => map.data.phase === 'ready', 'the new seat map')
    await tap(map.querySelectorAll('.best-button')[1])
    await waitFor(() => map.data.selection.length === 2, 'two seats on the new showtime')
    await tap(map.querySelector('.confirm-button'))
    const nav = await waitFor(() => alice.calls.navigateTo.pop(), 'the exchange confirmation')
    const query = Object.fromEntries(new URLSearchParams(nav.url.split('?')[1]))
    expect(query).toMatchObject({ order_id: shared.orderId, showtime_id: String(other.id) })

    const confirm = await openPage('exchange-confirm', query)
    await waitFor(() => confirm.data.phase === 'ready', 'the confirmation')
    // The service's quote before confirming; the exchange then charges what it said.
    const quote = await services.exchangeQuote(shared.orderId, query.hold_id)
    expect(textOf(confirm, '.total-value')).toBe(confirm.data.price.total.value)
    expect(confirm.data.price.pay).toBe(quote.pay_fen)
    expect(textOf(confirm, '.difference')).toBeTruthy()
    await tap(confirm.querySelector('.confirm'))
    await waitFor(() => confirm.data.phase === 'done', 'the exchange', 20000)
    expect(confirm.data.outcome).toEqual(outcomeLines(quote)) // fee, paid or back: as quoted
    confirm.instance.onUnload()

    const after = await openPage('ticket', { id: shared.orderId })
    await waitFor(() => after.data.tickets.length === 4, 'the new tickets beside the old ones')
    expect(after.data.tickets.filter((t) => t.live)).toHaveLength(2)
    expect(after.data.exchange).toMatchObject({ allowed: false, exchanged: true })
  }
)

step(
  'the tickets show their codes and QR images, and a refund shows its quote before it is made',
  [
    '/api/v1/orders/{id}',
    '/api/v1/tickets/{code}/qr.png',
    '/api/v1/orders/{id}/refund-quote',
    '/api/v1/orders/{id}/refund',
  ],
  async () => {
    const page = await openPage('ticket', { id: shared.orderId })
    await waitFor(
      () => page.data.order && page.data.order.status === 'ticketed',
      'the tickets to be issued',
      20000
    )
    // after the exchange: the new tickets live with their QR codes, the old ones void beside them
    const live = () => page.data.tickets.filter((t) => t.live)
    await waitFor(() => live().length === 2 && live().every((t) => t.qr), 'the QR images')
    live().forEach((ticket) => {
      expect(ticket.code).toBeTruthy()
      expect(fs.readFileSync(ticket.qr).subarray(1, 4).toString()).toBe('PNG')
    })
    expect(page.data.order.refund.allowed).toBe(true)
    await tap(page.querySelector('.refund'))
    const quote = await waitFor(() => page.data.quote, 'the refund quote')
    expect(quote.refundable).toBe(true)
    expect(quote.lines.map((line) => line.label)).toEqual(['实付金额', '退票手续费', '退回金额'])
    await tap(page.querySelector('.confirm-refund'))
    await waitFor(() => ['refund_requested', 'refunded'].includes(page.data.order.status), 'the refund')
    expect(page.data.error).toBe('')
  }
)

/** Tap the snack picker's "＋" of the first snack that can still be added; answers its row. */
async function addFirstSnack(picker) {
  await waitFor(() => picker.data.rows.length, "the cinema's snacks")
  const row = picker.data.rows.find((r) => r.canAdd)
  expect(row).toBeTruthy()
  await tap(picker.querySelectorAll('.plus').find((el) => el.dom.dataset.id === String(row.id)))
  return row
}

/** The paid order's page once its pickup code is there: the code, and the QR drawn from its text. */
async function pickupShown(orderId) {
  const page = await openPage('ticket', { id: orderId })
  await waitFor(() => page.data.pickup && page.data.pickup.code, 'the pickup code', 20000)
  const card = page.querySelector('.pickup-card')
  await waitFor(() => card.data.qr, 'the pickup QR')
  expect(card.data.qr).toMatch(/^data:image\/gif;base64,/)
  expect(textOf(card, '.code-value')).toBe(page.data.pickup.code)
  return page
}

step(
  'snacks at checkout: the quote and the order carry them, the paid order shows the pickup code',
  [
    '/api/v1/cinemas/{id}/snacks',
    '/api/v1/holds/{hold_id}/quote',
    '/api/v1/orders',
    '/api/v1/orders/{id}/pay',
  ],
  async () => {
    const hold = await services.holdBest(shared.showtimeId, 1)
    const page = await openPage('order', { hold_id: hold.id, showtime_id: String(shared.showtimeId) })
    await waitFor(() => page.data.phase === 'ready', 'the order page')
    const row = await addFirstSnack(page.querySelector('#snack-picker'))
    await waitFor(() => page.data.lines.some((line) => line.label === '卖品'), 'the snacks in the breakdown')
    expect(page.data.lines.find((line) => line.label === '卖品').value).toBe(row.price)
    await tap(page.querySelector('.pay'))
    const nav = await waitFor(() => alice.calls.redirectTo.pop(), 'the paid order', 20000)
    page.instance.onUnload()
    const ticket = await pickupShown(decodeURIComponent(nav.url.split('id=')[1]))
    expect(ticket.data.snacks.map((line) => line.id)).toEqual([row.id])
  }
)

step(
  "snacks alone from the cinema's page: pay, the pickup code, then a refund without fee",
  [
    '/api/v1/cinemas/{id}/snacks',
    '/api/v1/snack-orders',
    '/api/v1/orders/{id}/pay',
    '/api/v1/orders/{id}/refund-quote',
    '/api/v1/orders/{id}/refund',
  ],
  async () => {
    const page = await openPage('snacks', { cinema_id: String(shared.cinemaId) })
    await addFirstSnack(page.querySelector('#snack-picker'))
    await waitFor(() => page.data.count === 1, 'one snack in the cart')
    // alice is no member: no points row, and the order spends none
    expect(page.data.pointsText).toBe('')
    expect(page.querySelector('.points-row')).toBeFalsy()
    await tap(page.querySelector('.bar-pay'))
    const nav = await waitFor(() => alice.calls.redirectTo.pop(), 'the paid snacks order', 20000)
    const orderId = decodeURIComponent(nav.url.split('id=')[1])
    expect(orderId).toMatch(new RegExp(`^S${shared.cinemaId}-[0-9a-f]{14}$`))
    const order = await services.order(orderId)
    expect(order).toMatchObject({
      kind: 'snacks',
      cinema: { id: shared.cinemaId, name: shared.cinemaName },
      showtime: null,
      seats: [],
      tickets: [],
      refundable_until: null,
    })
    expect(['paid', 'ticketed']).toContain(order.status)
    expect(order.price.points_used).toBe(0)
    const ticket = await pickupShown(orderId)
    expect(ticket.data.order).toMatchObject({ snacksOnly: true, title: '影院卖品', place: shared.cinemaName })
    expect(ticket.data.tickets).toEqual([])

    // landed and not picked up: refundable in full, no fee
    await waitFor(() => ticket.data.order.status === 'ticketed', 'the order landed', 20000)
    expect(ticket.data.order.refund.allowed).toBe(true)
    await tap(ticket.querySelector('.refund'))
    const quote = await waitFor(() => ticket.data.quote, 'the refund quote')
    expect(quote.refundable).toBe(true)
    expect(quote.lines.map((line) => line.label)).toEqual(['实付金额', '退回金额'])
    expect(quote.lines[1].value).toBe(quote.lines[0].value)
    await tap(ticket.querySelector('.confirm-refund'))
    await waitFor(() => ['refund_requested', 'refunded'].includes(ticket.data.order.status), 'the refund')
    expect(ticket.data.error).toBe('')
  }
)
