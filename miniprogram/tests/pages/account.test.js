/** The signed-in pages: Mine, my orders, my favourites (each signs in with wx.login on first need). */
const { createFakeWx, flush } = require('../support/fake-wx')
const { MOVIES } = require('../support/catalogue')
const { openPage, textOf, tap } = require('../support/pages')

let wx

beforeEach(() => {
  wx = createFakeWx({ user: 'bob' })
  global.wx = wx
})

afterEach(() => {
  delete global.wx
})

function order(id, status) {
  return {
    id,
    status,
    amount_fen: 4500,
    seats: [{ seat: 'A-1', price_fen: 4500 }],
    showtime: {
      id: 7,
      movie_title: '流浪地球',
      cinema_name: '万达影城',
      hall_name: '1号厅',
      starts_at: '2030-01-01T19:30:00+08:00',
    },
    tickets: [],
  }
}

test('Mine: signs in with WeChat, shows the name, links to orders and favourites, signs out', async () => {
  const page = await openPage('mine', {}, flush)
  expect(textOf(page, '.sign-in')).toBe('微信登录')
  await tap(page.querySelector('.sign-in'))
  await flush()
  expect(wx.requestsTo('POST', '/api/v1/auth/wx-login')[0].data).toEqual({ code: 'dev-bob' })
  expect(textOf(page, '.name')).toBe('bob')
  await tap(page.querySelector('.orders'))
  await tap(page.querySelector('.favourites'))
  expect(wx.calls.navigateTo.map((c) => c.url)).toEqual(['/pages/orders/index', '/pages/favourites/index'])
  await tap(page.querySelector('.sign-out'))
  expect(textOf(page, '.sign-in')).toBe('微信登录')
  expect(wx.getStorageSync('seatcore.session')).toBe('')
})

test('My orders: signs in on first need, lists orders with status, pages on, opens each kind', async () => {
  wx.route('GET', '/api/v1/me/orders', (req) =>
    req.query.cursor === 'c2'
      ? { items: [order('o3', 'refunded')], next_cursor: null }
      : { items: [order('o1', 'pending_payment'), order('o2', 'ticketed')], next_cursor: 'c2' }
  )
  const page = await openPage('orders', {}, flush)
  expect(wx.requestsTo('POST', '/api/v1/auth/wx-login')).toHaveLength(1)
  expect(wx.requestsTo('GET', '/api/v1/me/orders')[0].header.Authorization).toBe('Bearer token-bob')
  expect(page.querySelectorAll('.status').map((s) => s.dom.textContent)).toEqual(['待支付', '已出票'])
  expect(textOf(page, '.order .muted')).toBe('万达影城 1号厅')
  await page.instance.onReachBottom()
  await flush()
  expect(page.querySelectorAll('.order')).toHaveLength(3)
  expect(page.querySelectorAll('.status')[2].dom.textContent).toBe('已退款')
  await tap(page.querySelectorAll('.order')[0])
  await tap(page.querySelectorAll('.order')[1])
  expect(wx.calls.navigateTo.map((c) => c.url)).toEqual([
    '/pages/order/index?order_id=o1',
    '/pages/ticket/index?id=o2',
  ])
})

test('My favourites: lists the wanted movies', async () => {
  wx.route('GET', '/api/v1/me/favourites', () => ({ items: MOVIES.slice(0, 2), next_cursor: null }))
  const page = await openPage('favourites', {}, flush)
  expect(page.querySelectorAll('.favourite')).toHaveLength(2)
  expect(wx.requestsTo('GET', '/api/v1/me/favourites')[0].header.Authorization).toBe('Bearer token-bob')
})

test('an expired token is dropped and the request made again after a fresh sign-in', async () => {
  wx.setStorageSync('seatcore.session', {
    token: 'stale',
    expiresAt: Date.now() + 3600000,
    user: { name: 'bob' },
  })
  wx.route('GET', '/api/v1/me/favourites', (req) =>
    req.header.Authorization === 'Bearer stale'
      ? {
          __reply: true,
          status: 401,
          data: { error: { code: 'unauthorized', message: 'expired', details: {} } },
          header: {},
        }
      : { items: [], next_cursor: null }
  )
  const page = await openPage('favourites', {}, flush)
  expect(textOf(page, '.empty')).toMatch('还没有想看的电影')
  expect(wx.requestsTo('GET', '/api/v1/me/favourites').map((r) => r.header.Authorization)).toEqual([
    'Bearer stale',
    'Bearer token-bob',
  ])
})
