/**
 * 猜你喜欢: the <recommendations> row with its reasons, on the home page and after a purchase
 * (the paid order's page); without picks, no row.
 */
const { createFakeWx, errorReply, flush } = require('../support/fake-wx')
const { routeCatalogue } = require('../support/catalogue')
const { openPage, textOf, tap } = require('../support/pages')
const { ticketed } = require('../support/orders')

let wx

const PICKS = [
  {
    id: 7,
    title: '星际归途',
    poster_url: '/media/posters/7.png',
    reason: '因为你想看《深海》',
    basis: 'similar',
  },
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

test('home: shows the picks with their reasons and opens a pick', async () => {
  wx.route('GET', '/api/v1/recommendations', () => ({ items: PICKS }))
  const page = await openPage('home', {}, flush)
  const row = page.querySelector('.picks-row')
  expect(textOf(row, '.picks-title')).toBe('猜你喜欢')
  const picks = row.querySelectorAll('.pick')
  expect(picks).toHaveLength(2)
  // Only the personal pick has a reason.
  expect(row.querySelectorAll('.pick-reason')).toHaveLength(1)
  expect(textOf(row, '.pick-reason')).toBe('因为你想看《深海》')
  await tap(picks[0])
  expect(wx.calls.navigateTo.pop().url).toBe('/pages/movie/index?id=7')
  expect(wx.requestsTo('GET', '/api/v1/recommendations')[0].query).toEqual({ limit: '10' })
})

test('home: a failure leaves the row out and the rest of the page as it was', async () => {
  wx.route('GET', '/api/v1/recommendations', () => errorReply(503, 'upstream_unavailable'))
  const page = await openPage('home', {}, flush)
  expect(page.querySelector('.picks-row').querySelector('.picks-title')).toBeFalsy()
  expect(page.querySelectorAll('.hot')).toHaveLength(2)
  expect(page.querySelector('.error')).toBeFalsy()
})

test('after a purchase: the paid order shows 猜你喜欢; an unpaid or refunded one does not', async () => {
  wx.route('GET', '/api/v1/recommendations', () => ({ items: PICKS }))
  wx.route('GET', '/api/v1/orders/o1', () => ticketed({ tickets: [] }))
  const paid = await openPage('ticket', { id: 'o1' }, flush)
  const row = paid.querySelector('.after-purchase')
  expect(textOf(row, '.picks-title')).toBe('猜你喜欢')
  expect(row.querySelectorAll('.pick').map((el) => el.dom.textContent.trim())).toEqual([
    '星际归途因为你想看《深海》',
    '熊猫特工队',
  ])
  await tap(row.querySelectorAll('.pick')[1])
  expect(wx.calls.navigateTo.pop().url).toBe('/pages/movie/index?id=8')

  wx.route('GET', '/api/v1/orders/o1', () => ticketed({ status: 'refunded', tickets: [] }))
  const refunded = await openPage('ticket', { id: 'o1' }, flush)
  expect(refunded.querySelector('.after-purchase')).toBeFalsy()
})
