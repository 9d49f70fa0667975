/**
 * The waiting page and the seat page's hook: a showtime in a waiting room sends the fan from the
 * seat page to the line; the page shows the place and the wait as the frames come, then "轮到你了"
 * and back to the seats, whose holds now carry the admission token.
 */
const { createFakeWx, errorReply, flush } = require('../support/fake-wx')
const { routeCatalogue, SHOWTIMES } = require('../support/catalogue')
const { openPage, textOf } = require('../support/pages')
const services = require('../../lib/services')

let wx

beforeEach(() => {
  wx = createFakeWx()
  global.wx = wx
  routeCatalogue(wx)
  wx.setStorageSync('seatcore.session', {
    token: 'token-alice',
    expiresAt: Date.now() + 3600000,
    user: { id: 1, kind: 'user', role: 'moviegoer', name: 'alice' },
  })
})

afterEach(() => {
  delete global.wx
})

/** Showtime 7 of the catalogue, with or without a waiting room open now. */
function roomOpen(open) {
  const show = SHOWTIMES.find((s) => s.id === 7)
  wx.route('GET', '/api/v1/showtimes/7', () => ({ ...show, waiting_room: open }))
}

test('the seat page sends a fan who is not admitted to the line', async () => {
  roomOpen(true)
  wx.route('POST', '/api/v1/showtimes/7/waiting-room', () => ({ showtime_id: 7, place: 40, admitted: false }))
  await openPage('seats', { showtime_id: '7' }, () => flush(10))
  expect(wx.calls.redirectTo.pop().url).toBe('/pages/waiting/index?showtime_id=7')
})

test('a showtime without a room opens its seats without asking the line', async () => {
  roomOpen(false)
  wx.route('POST', '/api/v1/showtimes/7/waiting-room', () => ({ showtime_id: 7, place: 40, admitted: false }))
  const page = await openPage('seats', { showtime_id: '7' }, () => flush(10))
  expect(wx.requestsTo('POST', '/api/v1/showtimes/7/waiting-room')).toEqual([])
  expect(wx.calls.redirectTo || []).toEqual([])
  expect(page.data.showtime.id).toBe(7)
})

test('when the showtime cannot be read, the line decides (no room: the seats as ever)', async () => {
  wx.route('GET', '/api/v1/showtimes/7', () => errorReply(503, 'upstream_unavailable'))
  wx.route('POST', '/api/v1/showtimes/7/waiting-room', () => errorReply(404, 'no_waiting_room'))
  await openPage('seats', { showtime_id: '7' }, () => flush(10))
  expect(wx.requestsTo('POST', '/api/v1/showtimes/7/waiting-room').length).toBe(1)
  expect(wx.calls.redirectTo || []).toEqual([])
})

test('the place and the wait move with the line, then on to the seats with the token', async () => {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] })
  try {
    const page = await openPage('waiting', { showtime_id: '7' }, async () => {
      for (let i = 0; i < 30; i += 1) await Promise.resolve()
    })
    const socket = wx.lastSocket()
    expect(socket.url).toMatch(/\/ws\/showtimes\/7\/waiting-room$/)
    socket.open()
    socket.receive({ type: 'place', showtime_id: 7, number: 90, served: 0, per_minute: 0, open: false })
    expect(textOf(page, '.count')).toBe('90')
    expect(textOf(page, '.eta')).toMatch(/随机/)
    socket.receive({ type: 'place', showtime_id: 7, number: 120, served: 0, per_minute: 60, open: true })
    expect(textOf(page, '.count')).toBe('120')
    expect(textOf(page, '.eta')).toBe('预计等待 约 3 分钟')
    socket.receive({ type: 'line', served: 60, per_minute: 60, open: true })
    expect(textOf(page, '.count')).toBe('60')
    expect(page.querySelector('.fill').dom.getAttribute('style')).toMatch(/width: 50%/)
    socket.receive({
      type: 'admitted',
      token: '7.1.1900000000000.abc',
      expires_at: '2030-03-17T12:00:00.000Z',
    })
    expect(textOf(page, '.turn')).toBe('轮到你了！')
    jest.advanceTimersByTime(1500)
    expect(wx.calls.redirectTo.pop().url).toBe('/pages/seats/index?showtime_id=7')
  } finally {
    jest.useRealTimers()
  }
  let sent = null
  wx.route('POST', /\/holds$/, (req) => {
    sent = req.header['X-Admission-Token']
    return { id: '7-h1', seats: ['A-1'] }
  })
  await services.holdSeats(7, ['A-1'])
  expect(sent).toBe('7.1.1900000000000.abc')
  await services.holdSeats(9, ['A-1'])
  expect(sent).toBe(undefined) // another showtime's holds carry no token
})

test('leaving the line tells the service and goes back', async () => {
  wx.route('DELETE', '/api/v1/showtimes/7/waiting-room', () => errorReply(204, 'none'))
  const page = await openPage('waiting', { showtime_id: '7' }, () => flush(10))
  page.querySelector('.secondary-button').dispatchEvent('tap')
  await flush(10)
  expect(wx.requestsTo('DELETE', '/api/v1/showtimes/7/waiting-room').length).toBe(1)
  expect(wx.calls.navigateBack.length).toBe(1)
})
