/** The analytics queue over a fake wx.request: batching, backoff, dropping, the flush on page hide. */
const { createAnalytics } = require('../../lib/analytics')
const { DEVICE_KEY, QUEUE_KEY } = require('../../lib/event-queue')
const { createFakeWx, reply, errorReply, NETWORK_DOWN, ticks } = require('../support/fake-wx')

let wx
let clock
let timers

/** Timers the test fires by hand: `timers` holds the pending ones as {fn, ms}. */
function manualTimers() {
  return {
    setTimer: (fn, ms) => {
      const timer = { fn, ms }
      timers.push(timer)
      return timer
    },
    clearTimer: (timer) => {
      timers = timers.filter((t) => t !== timer)
    },
  }
}

async function fire() {
  const due = timers
  timers = []
  due.forEach((t) => t.fn())
  await ticks()
}

function make(queueOptions) {
  return createAnalytics({
    wx,
    baseUrl: 'http://svc',
    token: () => 'tok',
    queue: Object.assign({ now: () => clock, random: () => 0.5 }, manualTimers(), queueOptions || {}),
  })
}

const posts = () => wx.requestsTo('POST', '/api/v1/events')

beforeEach(() => {
  wx = createFakeWx({ user: 'carol' })
  clock = Date.parse('2026-12-04T12:00:00Z')
  timers = []
  wx.route('POST', '/api/v1/events', (req) => reply(202, { accepted: req.data.events.length }))
})

test('events wait for the timer and go as one batch with the device, visit, channel and token', async () => {
  const a = make()
  a.step('movie_opened', { movie_id: 3 })
  a.step('showtimes_opened', { movie_id: 3, cinema_id: undefined })
  await ticks()
  expect(posts()).toHaveLength(0)
  expect(timers.map((t) => t.ms)).toEqual([5000])
  await fire()
  expect(posts()).toHaveLength(1)
  const req = posts()[0]
  expect(req.header.Authorization).toBe('Bearer tok')
  expect(req.data.channel).toBe('miniprogram')
  expect(req.data.device_id).toMatch(/^[A-Za-z0-9]{22}$/)
  expect(req.data.visit_id).toMatch(/^[A-Za-z0-9]{16}$/)
  expect(req.data.events).toEqual([
    { type: 'movie_opened', at: '2026-12-04T12:00:00.000Z', movie_id: 3 },
    { type: 'showtimes_opened', at: '2026-12-04T12:00:00.000Z', movie_id: 3 },
  ])
  expect(a.queue.pending()).toBe(0)
})

test('the device id is made once and kept in storage; each start is a new visit', () => {
  const first = make()
  const second = make()
  expect(wx.getStorageSync(DEVICE_KEY)).toBe(first.deviceId())
  expect(second.deviceId()).toBe(first.deviceId())
})

test('a full batch goes at once, in batches of at most maxBatch', async () => {
  const a = make({ maxBatch: 3 })
  for (let i = 1; i <= 7; i += 1) a.step('seat_picked', { showtime_id: i })
  await ticks()
  await fire()
  expect(posts().map((r) => r.data.events.length)).toEqual([3, 3, 1])
  expect(a.queue.stats.sent).toBe(7)
})

test('network failures, 429 and 5xx are retried with growing waits, then the batch lands', async () => {
  const answers = [NETWORK_DOWN, errorReply(503, 'upstream_unavailable'), errorReply(429, 'rate_limited')]
  wx.route('POST', '/api/v1/events', (req) => answers.shift() || reply(202, { accepted: 1 }))
  const a = make({ backoffBaseMs: 1000 })
  a.step('hold_asked', { showtime_id: 9 })
  await fire() // the first send: network down
  const waits = []
  while (posts().length < 4) {
    waits.push(timers[0].ms)
    await fire()
  }
  // random() = 0.5: three quarters of 1 s, 2 s, 4 s
  expect(waits).toEqual([750, 1500, 3000])
  expect(posts().every((r) => r.data.events[0].showtime_id === 9)).toBe(true)
  expect(a.queue.pending()).toBe(0)
  expect(a.queue.stats.sent).toBe(1)
})

test('a batch the service refuses (422) is dropped, not retried, and later events still go', async () => {
  wx.route('POST', '/api/v1/events', () => errorReply(422, 'validation_failed'))
  const a = make()
  a.step('seat_picked', { showtime_id: 1 })
  await fire()
  expect(a.queue.pending()).toBe(0)
  expect(a.queue.stats.dropped).toBe(1)
  expect(timers).toHaveLength(0)
  wx.route('POST', '/api/v1/events', () => reply(202, { accepted: 1 }))
  a.step('seat_picked', { showtime_id: 2 })
  await fire()
  expect(a.queue.stats.sent).toBe(1)
})

test('the queue never grows past maxQueued (the oldest go) and drops events older than 3 days', async () => {
  wx.route('POST', '/api/v1/events', () => NETWORK_DOWN)
  const a = make({ maxQueued: 5, maxBatch: 100 })
  for (let i = 1; i <= 8; i += 1) a.step('seat_picked', { showtime_id: i })
  expect(a.queue.pending()).toBe(5)
  expect(a.queue.stats.dropped).toBe(3)
  await fire()
  expect(posts()[0].data.events.map((e) => e.showtime_id)).toEqual([4, 5, 6, 7, 8])
  clock += 3 * 24 * 3600 * 1000
  await fire()
  expect(a.queue.pending()).toBe(0)
  expect(a.queue.stats.dropped).toBe(8)
  expect(posts()).toHaveLength(1) // nothing left worth sending
})

test('onHide records the page view with its dwell time and sends at once; onUnload too', async () => {
  const calls = []
  const page = make().tracked('pages/seats', {
    onShow() {
      calls.push('show')
    },
    onHide() {
      calls.push('hide')
    },
  })
  page.onShow()
  clock += 41250
  page.onHide()
  await ticks()
  expect(calls).toEqual(['show', 'hide'])
  expect(posts()).toHaveLength(1)
  expect(posts()[0].data.events).toEqual([
    { type: 'page_view', at: '2026-12-04T12:00:41.250Z', page: 'pages/seats', dwell_ms: 41250 },
  ])
  page.onShow()
  clock += 1000
  page.onUnload()
  await ticks()
  expect(posts()[1].data.events[0]).toMatchObject({ page: 'pages/seats', dwell_ms: 1000 })
})

test('events not sent when the app closed are kept in storage and sent by the next start', async () => {
  wx.route('POST', '/api/v1/events', () => NETWORK_DOWN)
  const first = make()
  first.step('pay_started', { order_id: 'o1' })
  await first.queue.pageHidden('pages/order')
  expect(wx.getStorageSync(QUEUE_KEY)).toHaveLength(1)
  wx.route('POST', '/api/v1/events', () => reply(202, { accepted: 1 }))
  const next = make()
  await next.queue.flush()
  expect(posts().pop().data.events).toEqual([
    { type: 'pay_started', at: '2026-12-04T12:00:00.000Z', order_id: 'o1' },
  ])
  expect(wx.getStorageSync(QUEUE_KEY)).toEqual([])
})

test('errors are sent by code, never by text', async () => {
  const a = make()
  a.error('SEAT_UNAVAILABLE')
  await fire()
  expect(posts()[0].data.events[0]).toMatchObject({ type: 'error', code: 'seat_unavailable' })
})

test("an experiment's variant comes from one call with the device id; anything wrong gives the fallback", async () => {
  const a = make()
  wx.route('GET', '/api/v1/experiments/assignments', (req) => ({
    assignments: req.query.device_id === a.deviceId() ? { best_seats_position: 'above' } : {},
  }))
  expect(await a.variant('best_seats_position', 'below')).toBe('above')
  const asked = wx.requestsTo('GET', '/api/v1/experiments/assignments')[0]
  expect(asked.query).toEqual({ device_id: a.deviceId(), channel: 'miniprogram' })
  expect(asked.header.Authorization).toBe('Bearer tok')
  expect(await a.variant('another', 'x')).toBe('x')
  wx.route('GET', '/api/v1/experiments/assignments', () => NETWORK_DOWN)
  expect(await a.variant('best_seats_position', 'below')).toBe('below')
  wx.route('GET', '/api/v1/experiments/assignments', () => errorReply(503, 'upstream_unavailable'))
  expect(await a.variant('best_seats_position', 'below')).toBe('below')
})
