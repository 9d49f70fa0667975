/**
 * LiveSocket on fake timers against scripted sockets: resume by seq and epoch, backoff with
 * jitter, close codes, heartbeats and dead-connection detection, resync on gaps.
 */
const { LiveSocket } = require('../../lib/live-socket')
const { SeatState } = require('../../lib/seat-state')
const { createFakeWx, ticks } = require('../support/fake-wx')
const { gridLayout } = require('../support/halls')

const LAYOUT = gridLayout(2, 4)
const ALL_FREE = {
  'A-1': 'free',
  'A-2': 'free',
  'A-3': 'free',
  'A-4': 'free',
  'B-1': 'free',
  'B-2': 'free',
  'B-3': 'free',
  'B-4': 'free',
}

let wx
let state
let updates
let statuses

function makeSocket(options) {
  return new LiveSocket(
    Object.assign(
      {
        showtimeId: 7,
        state,
        wx,
        url: 'ws://svc',
        random: () => 0.5,
        onUpdate: (u) => updates.push(u),
        onStatus: (s, code) => statuses.push(code ? `${s}:${code}` : s),
        getToken: () => 'tok',
      },
      options || {}
    )
  )
}

async function started(options) {
  const live = makeSocket(options)
  live.start()
  await ticks()
  return live
}

const snapshot = (seq, epoch) => ({
  type: 'snapshot',
  showtime_id: 7,
  seq,
  epoch: epoch || 'e1',
  states: ALL_FREE,
  mine: [],
})
const delta = (from, to, seat, s) => ({
  type: 'delta',
  from_seq: from,
  seq: to,
  changes: [{ seat, state: s }],
})

beforeEach(() => {
  jest.useFakeTimers()
  wx = createFakeWx()
  state = new SeatState(LAYOUT, {})
  updates = []
  statuses = []
})

afterEach(() => {
  jest.useRealTimers()
})

test('first connect has no since; snapshot then deltas are applied in order', async () => {
  const live = await started()
  const socket = wx.lastSocket()
  expect(socket.url).toBe('ws://svc/ws/showtimes/7')
  expect(socket.header).toEqual({ Authorization: 'Bearer tok' })
  socket.open()
  socket.receive(snapshot(3))
  socket.receive(delta(4, 4, 'A-1', 'held'))
  socket.receive(delta(4, 4, 'A-1', 'held')) // duplicate: ignored
  socket.receive(delta(5, 6, 'A-2', 'sold'))
  expect(state.seq).toBe(6)
  expect(updates.map((u) => u.kind)).toEqual(['snapshot', 'delta', 'delta'])
  expect(statuses).toEqual(['connecting', 'live'])
  live.stop()
})

test('after a drop it reconnects with backoff and resumes with since and epoch', async () => {
  const live = await started()
  const first = wx.lastSocket()
  first.open()
  first.receive(snapshot(3, 'ep-9'))
  first.receive(delta(4, 4, 'A-1', 'held'))
  first.serverClose(1001, 'going away')
  expect(statuses.pop()).toBe('reconnecting')
  // random 0.5 and a 500 ms base: the first wait is 250 + 0.5 * 250 ms.
  jest.advanceTimersByTime(374)
  await ticks()
  expect(wx.sockets).toHaveLength(1)
  jest.advanceTimersByTime(1)
  await ticks()
  expect(wx.sockets).toHaveLength(2)
  const second = wx.lastSocket()
  expect(second.query).toEqual({ since: '4', epoch: 'ep-9' })
  second.open()
  // The server replays what was missed (an already-seen delta first) and carries on.
  second.receive(delta(4, 4, 'A-1', 'held'))
  second.receive(delta(5, 5, 'A-1', 'sold'))
  expect(state.view('A-1')).toBe('sold')
  live.stop()
})

test('failed attempts back off exponentially up to the cap; a frame resets the backoff', async () => {
  const live = await started({ backoff: { baseMs: 1000, maxMs: 8000 } })
  const waits = []
  for (let i = 0; i < 6; i += 1) {
    wx.lastSocket().fail('connectSocket:fail')
    const before = wx.sockets.length
    let waited = 0
    while (wx.sockets.length === before) {
      jest.advanceTimersByTime(50)
      waited += 50
      await ticks()
    }
    waits.push(waited)
  }
  // 0.75 of 1 s, 2 s, 4 s, 8 s, then capped at 8 s.
  expect(waits).toEqual([750, 1500, 3000, 6000, 6000, 6000])
  const socket = wx.lastSocket()
  socket.open()
  socket.receive(snapshot(1))
  socket.serverClose(1006)
  jest.advanceTimersByTime(750)
  await ticks()
  expect(wx.lastSocket()).not.toBe(socket)
  live.stop()
})

test('a gap makes it drop the connection and come back at once from the last good seq', async () => {
  const live = await started()
  const socket = wx.lastSocket()
  socket.open()
  socket.receive(snapshot(3))
  socket.receive(delta(4, 4, 'A-1', 'held'))
  socket.receive(delta(6, 6, 'A-2', 'held')) // 5 is missing
  expect(socket.closedWith.code).toBe(1000)
  expect(state.view('A-2')).toBe('free')
  jest.advanceTimersByTime(0)
  await ticks()
  expect(wx.sockets).toHaveLength(2)
  expect(wx.lastSocket().query.since).toBe('4')
  live.stop()
})

test('close 4000 (resync) reconnects with since', async () => {
  const live = await started()
  const socket = wx.lastSocket()
  socket.open()
  socket.receive(snapshot(8))
  socket.serverClose(4000, 'resync')
  jest.advanceTimersByTime(375)
  await ticks()
  expect(wx.lastSocket().query.since).toBe('8')
  live.stop()
})

test.each([
  [4404, 'failed:not_found'],
  [4403, 'failed:forbidden'],
])('close %i gives up with %s', async (code, status) => {
  await started()
  wx.lastSocket().serverClose(code)
  jest.advanceTimersByTime(60000)
  await ticks()
  expect(wx.sockets).toHaveLength(1)
  expect(statuses.pop()).toBe(status)
})

test('close 4401 retries once with a fresh sign-in, then gives up', async () => {
  const getToken = jest.fn((fresh) => (fresh ? 'new' : 'old'))
  await started({ getToken })
  wx.lastSocket().serverClose(4401)
  jest.advanceTimersByTime(375)
  await ticks()
  expect(getToken).toHaveBeenLastCalledWith(true)
  expect(wx.lastSocket().header.Authorization).toBe('Bearer new')
  wx.lastSocket().serverClose(4401)
  jest.advanceTimersByTime(60000)
  await ticks()
  expect(wx.sockets).toHaveLength(2)
  expect(statuses.pop()).toBe('failed:unauthorized')
})

test('close 4429 (too many sockets) waits at least 10 s', async () => {
  await started()
  wx.lastSocket().serverClose(4429)
  jest.advanceTimersByTime(9999)
  await ticks()
  expect(wx.sockets).toHaveLength(1)
  jest.advanceTimersByTime(1)
  await ticks()
  expect(wx.sockets).toHaveLength(2)
})

test('heartbeats: pings every 15 s; silence past 40 s means dead, so it reconnects', async () => {
  const live = await started()
  const socket = wx.lastSocket()
  socket.open()
  socket.receive(snapshot(2))
  jest.advanceTimersByTime(15000)
  expect(socket.sent).toEqual([{ type: 'ping' }])
  socket.receive({ type: 'pong' })
  jest.advanceTimersByTime(30000)
  expect(socket.sent).toHaveLength(3)
  expect(wx.sockets).toHaveLength(1)
  // Nothing heard since the pong at 15 s: at 60 s it has been 45 s.
  jest.advanceTimersByTime(15000)
  expect(socket.closedWith).toEqual({ code: 1000, reason: 'dead' })
  // A zero-delay timer set inside a timer callback runs one tick later.
  jest.advanceTimersByTime(1)
  await ticks()
  expect(wx.sockets).toHaveLength(2)
  expect(wx.lastSocket().query.since).toBe('2')
  live.stop()
})

test('a server ping ahead of us for a whole interval means lost deltas: resync', async () => {
  const live = await started()
  const socket = wx.lastSocket()
  socket.open()
  socket.receive(snapshot(2))
  socket.receive({ type: 'ping', seq: 2 })
  socket.receive({ type: 'ping', seq: 3 }) // the delta may still be on its way
  expect(socket.closedWith).toBeNull()
  socket.receive({ type: 'ping', seq: 3 }) // it never came
  expect(socket.closedWith.reason).toBe('behind')
  live.stop()
})

test('stop closes the socket and nothing reconnects', async () => {
  const live = await started()
  const socket = wx.lastSocket()
  socket.open()
  live.stop()
  expect(socket.closedWith.code).toBe(1000)
  jest.advanceTimersByTime(120000)
  await ticks()
  expect(wx.sockets).toHaveLength(1)
  expect(statuses.pop()).toBe('closed')
})

test('frames that are not JSON objects are ignored', async () => {
  const live = await started()
  const socket = wx.lastSocket()
  socket.open()
  socket.receive('not json')
  socket.receive('42')
  socket.receive(snapshot(1))
  expect(state.seq).toBe(1)
  live.stop()
})
