/** The waiting room's line as the page sees it, and its socket's heartbeats and reconnects. */
const { WaitingLine, WaitingSocket, waitText } = require('../../lib/waiting-room')
const { createFakeWx, flush } = require('../support/fake-wx')

test('the place and the wait come from the number and the broadcast front', () => {
  const line = new WaitingLine()
  expect(line.ahead()).toBe(null)
  line.apply({ type: 'place', showtime_id: 7, number: 1500, served: 0, per_minute: 600, open: false })
  expect(line.ahead()).toBe(1500)
  expect(line.waitS()).toBe(null) // before the opening nothing moves
  line.apply({ type: 'place', showtime_id: 7, number: 1200, served: 0, per_minute: 600, open: true })
  expect([line.ahead(), line.waitS(), line.progress()]).toEqual([1200, 121, 0])
  line.apply({ type: 'line', served: 600, per_minute: 600, open: true })
  expect([line.ahead(), line.waitS()]).toEqual([600, 61])
  expect(line.progress()).toBeCloseTo(0.5, 2)
  line.apply({ type: 'line', served: 500, per_minute: 600, open: true }) // an older frame: ignored
  expect(line.ahead()).toBe(600)
  line.apply({ type: 'admitted', token: '7.1.99.ab', expires_at: '2030-01-01T12:10:00.000Z' })
  expect(line.admission).toEqual({ token: '7.1.99.ab', expiresAt: '2030-01-01T12:10:00.000Z' })
  expect(line.progress()).toBe(1)
})

test('the wait in words', () => {
  expect(waitText(null)).toBe('正在估算')
  expect(waitText(30)).toBe('不到 1 分钟')
  expect(waitText(125)).toBe('约 3 分钟')
  expect(waitText(3 * 3600 + 600)).toBe('约 3 小时 10 分钟')
})

test('the socket pings, reconnects after a drop and stops after the token', async () => {
  jest.useFakeTimers()
  try {
    const wx = createFakeWx()
    const frames = []
    const statuses = []
    const socket = new WaitingSocket({
      showtimeId: 7,
      wx,
      url: 'ws://service',
      heartbeatMs: 1000,
      backoff: { baseMs: 10, maxMs: 10 },
      random: () => 0.5,
      getToken: () => 'token-alice',
      onFrame: (frame) => frames.push(frame),
      onStatus: (status) => statuses.push(status),
    })
    socket.start()
    await Promise.resolve()
    await Promise.resolve()
    const first = wx.lastSocket()
    expect(first.url).toBe('ws://service/ws/showtimes/7/waiting-room')
    expect(first.header.Authorization).toBe('Bearer token-alice')
    first.open()
    jest.advanceTimersByTime(1000)
    expect(first.sent).toEqual([{ type: 'ping' }])
    first.serverClose(4408, 'idle')
    jest.advanceTimersByTime(50)
    await Promise.resolve()
    await Promise.resolve()
    const second = wx.lastSocket()
    expect(second).not.toBe(first)
    second.open()
    second.receive({ type: 'admitted', token: 't', expires_at: '2030-01-01T00:00:00Z' })
    second.serverClose(1000, 'admitted')
    jest.advanceTimersByTime(1000)
    expect(wx.sockets.length).toBe(2)
    expect(frames.map((f) => f.type)).toEqual(['admitted'])
    expect(statuses).toEqual(['connecting', 'live', 'reconnecting', 'reconnecting', 'live', 'done'])
  } finally {
    jest.useRealTimers()
  }
})

test('no room: the socket gives up at once', async () => {
  const wx = createFakeWx()
  const statuses = []
  const socket = new WaitingSocket({
    showtimeId: 7,
    wx,
    url: 'ws://service',
    getToken: () => 'token-alice',
    onStatus: (status, code) => statuses.push(code ? `${status}:${code}` : status),
  })
  socket.start()
  await flush(3)
  wx.lastSocket().serverClose(4404, 'this showtime has no waiting room')
  expect(statuses).toEqual(['connecting', 'failed:no_waiting_room'])
  expect(wx.sockets.length).toBe(1)
})
