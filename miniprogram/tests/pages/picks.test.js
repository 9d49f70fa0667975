/** 猜你喜欢 on the home page: the recommendations row with its reasons; without them, no row. */
const { createFakeWx, errorReply, flush } = require('../support/fake-wx')
const { routeCatalogue } = require('../support/catalogue')
const { openPage, textOf, tap } = require('../support/pages')

let wx

const PICKS = [
  { id: 7, title: '星际归途', poster_url: '/media/posters/7.png', reason: '因为你想看《深海》', basis: 'similar' },
  { id: 8, title: '熊猫特工队', poster_url: '/media/posters/8.png', reason: null, basis: 'popular' },
]

beforeEach(() => {
  wx = createFakeWx()
  global.wx = wx
  routeCatalogue(wx)
})

afterEach(() => {
  delete global.wx
})

test('shows the picks with their reasons and opens a pick', async () => {
  wx.route('GET', '/api/v1/recommendations', () => ({ items: PICKS }))
  const page = await openPage('home', {}, flush)
  expect(textOf(page, '.picks-title')).toBe('猜你喜欢')
  const picks = page.querySelectorAll('.pick')
  expect(picks).toHaveLength(2)
  // Only the personal pick has a reason.
  expect(page.querySelectorAll('.pick-reason')).toHaveLength(1)
  expect(textOf(page, '.pick-reason')).toBe('因为你想看《深海》')
  await tap(picks[0])
  expect(wx.calls.navigateTo.pop().url).toBe('/pages/movie/index?id=7')
  expect(wx.requestsTo('GET', '/api/v1/recommendations')[0].query).toEqual({ limit: '10' })
})

test('a failure leaves the row out and the rest of the page as it was', async () => {
  wx.route('GET', '/api/v1/recommendations', () => errorReply(503, 'upstream_unavailable'))
  const page = await openPage('home', {}, flush)
  expect(page.querySelector('.picks-title')).toBeFalsy()
  expect(page.querySelectorAll('.hot')).toHaveLength(2)
  expect(page.querySelector('.error')).toBeFalsy()
})
