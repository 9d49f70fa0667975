/**
 * The seat-map component rendered by miniprogram-simulate on a 240-seat hall, against a fake
 * service (requests and the live socket scripted by the test).
 */
const { createFakeWx, errorReply, flush } = require('../support/fake-wx')
const { bigHall, BIG_HALL_PRICES, seatsAnswer } = require('../support/halls')
const { renderComponent, textOf, classesOf, tap } = require('../support/pages')

const SHOWTIME = 7

function seat(map, id) {
  return map.querySelector(`#seat-${id}`)
}

function stateOf(map, id) {
  const classes = classesOf(seat(map, id))
  return ['free', 'picked', 'held', 'sold'].find((s) => classes.includes(s))
}

async function openMap(extra) {
  const wx = createFakeWx()
  global.wx = wx
  const layout = bigHall()
  wx.route('GET', `/api/v1/showtimes/${SHOWTIME}/seats`, () =>
    seatsAnswer(SHOWTIME, layout, BIG_HALL_PRICES, extra)
  )
  const map = renderComponent('seat-map', { showtimeId: SHOWTIME })
  open.push(map)
  await flush()
  const socket = wx.lastSocket()
  socket.open()
  return { wx, map, socket }
}

// Maps still attached when a test ends: detached after it, so no reconnect timer of theirs fires
// into the next test's fake `wx`.
let open = []

afterEach(() => {
  open.forEach((map) => map.detach())
  open = []
  delete global.wx
})

test('draws the whole hall: 240 seats, aisles, couple pairs, wheelchair spaces, screen and legend', async () => {
  const { map } = await openMap({ states: { 'C-5': 'sold', 'D-1': 'held' } })
  expect(map.querySelectorAll('.seat')).toHaveLength(240)
  expect(map.querySelectorAll('.row')).toHaveLength(12)
  // Two aisle columns in each of the 12 rows.
  expect(map.querySelectorAll('.aisle')).toHaveLength(24)
  expect(classesOf(seat(map, 'M-1'))).toEqual(expect.arrayContaining(['couple', 'pair-left']))
  expect(classesOf(seat(map, 'M-2'))).toEqual(expect.arrayContaining(['couple', 'pair-right']))
  expect(classesOf(seat(map, 'A-1'))).toContain('wheelchair')
  expect(stateOf(map, 'C-5')).toBe('sold')
  expect(stateOf(map, 'D-1')).toBe('held')
  expect(textOf(map, '.screen')).toBe('银幕')
  expect(map.querySelector('.centre-line')).toBeDefined()
  const legend = map.querySelectorAll('.zone-legend').map((el) => el.dom.textContent.trim())
  expect(legend).toEqual(['普通座 ¥45', '优选座 ¥60', '情侣座 ¥50'])
  // Each zone's swatch has that zone's colour, the one its seats are drawn with.
  const swatches = map.querySelectorAll('.zone-legend .swatch').map((el) => classesOf(el))
  expect(swatches.map((c) => c.find((name) => name.startsWith('zone-')))).toEqual([
    'zone-0',
    'zone-1',
    'zone-2',
  ])
  expect(classesOf(seat(map, 'F-3'))).toContain('zone-1')
  expect(swatches.every((c) => c.includes('seat-shape'))).toBe(true)
  // Every row has one cell per column, couple rows too: the pairs stay in line.
  expect(map.querySelectorAll('.cell')).toHaveLength(12 * 22)
  expect(map.querySelectorAll('.row-label').map((el) => el.dom.textContent)).toHaveLength(12)
  expect(map.querySelector('[role]')).toBeUndefined()
})

test('opens with the whole hall fitted to the width and centred on the screen line', async () => {
  const { map } = await openMap()
  const hall = map.data.hall
  expect(hall.width).toBeLessThanOrEqual(375)
  expect(map.data.x + hall.width / 2).toBeCloseTo(375 / 2, 0)
  expect(map.data.scale).toBe(1)
  expect(map.data.areaHeight).toBeGreaterThanOrEqual(hall.height)
  expect(map.querySelector('.hall').dom.getAttribute('style')).toContain(`width: ${hall.width}px`)
})

test('tapping a free seat picks it with its price, tapping again unpicks it', async () => {
  const { map } = await openMap()
  await tap(seat(map, 'F-3'))
  expect(stateOf(map, 'F-3')).toBe('picked')
  expect(textOf(map, '.picked-seat')).toBe('F排3座 ¥60 ✕')
  expect(textOf(map, '.total')).toBe('合计 ¥60')
  await tap(seat(map, 'F-3'))
  expect(stateOf(map, 'F-3')).toBe('free')
  expect(map.querySelectorAll('.picked-seat')).toHaveLength(0)
})

test('couple seats are picked and unpicked as a pair', async () => {
  const { map } = await openMap()
  await tap(seat(map, 'M-4'))
  expect(stateOf(map, 'M-3')).toBe('picked')
  expect(stateOf(map, 'M-4')).toBe('picked')
  expect(textOf(map, '.total')).toBe('合计 ¥100')
  await tap(seat(map, 'M-3'))
  expect(stateOf(map, 'M-3')).toBe('free')
  expect(stateOf(map, 'M-4')).toBe('free')
})

test('a sold seat or a seventh seat is refused with a reason in Chinese', async () => {
  const { map } = await openMap({ states: { 'B-2': 'sold' } })
  await tap(seat(map, 'B-2'))
  expect(textOf(map, '.refusal')).toBe('这个座位不可选')
  for (const n of [1, 2, 3, 4, 5, 6]) await tap(seat(map, `H-${n}`))
  await tap(seat(map, 'H-7'))
  expect(textOf(map, '.refusal')).toBe('每单最多选6个座位')
  expect(stateOf(map, 'H-7')).toBe('free')
})

test('confirm holds the picked seats and fires held', async () => {
  const { wx, map } = await openMap()
  wx.route('POST', `/api/v1/showtimes/${SHOWTIME}/holds`, (req) => ({
    id: 'h1',
    showtime_id: SHOWTIME,
    seats: req.data.seats,
    expires_at: '2030-01-01T20:15:00+08:00',
    amount_fen: 9000,
  }))
  const held = jest.fn()
  map.addEventListener('held', held)
  await tap(seat(map, 'E-7'))
  await tap(seat(map, 'E-8'))
  await tap(map.querySelector('.confirm-button'))
  await flush()
  const [hold] = wx.requestsTo('POST', `/api/v1/showtimes/${SHOWTIME}/holds`)
  expect(hold.data).toEqual({ seats: ['E-7', 'E-8'] })
  expect(hold.header.Authorization).toMatch(/^Bearer /)
  expect(held).toHaveBeenCalledTimes(1)
  expect(held.mock.calls[0][0].detail.hold.id).toBe('h1')
})

test("the service's refusal is explained in Chinese, naming the stranded seats", async () => {
  const { wx, map } = await openMap()
  wx.route('POST', `/api/v1/showtimes/${SHOWTIME}/holds`, () =>
    errorReply(409, 'stranded_seat', { seats: ['E-3'] }, 'the selection leaves E-3 stranded')
  )
  await tap(seat(map, 'E-1'))
  await tap(seat(map, 'E-2'))
  await tap(map.querySelector('.confirm-button'))
  await flush()
  expect(textOf(map, '.refusal')).toBe('请不要留下单个空座（E排3座），换个选法吧')
})

test('best seats for N asks the service and shows the held block as picked', async () => {
  const { wx, map } = await openMap()
  wx.route('POST', `/api/v1/showtimes/${SHOWTIME}/holds`, (req) => {
    expect(req.data).toEqual({ best: 2 })
    return { id: 'h2', seats: ['F-10', 'F-11'], expires_at: '2030-01-01T20:15:00+08:00', amount_fen: 12000 }
  })
  await tap(map.querySelectorAll('.best-button')[1])
  await flush()
  expect(stateOf(map, 'F-10')).toBe('picked')
  expect(stateOf(map, 'F-11')).toBe('picked')
  expect(textOf(map, '.total')).toBe('合计 ¥120')
})

test('a delta turns a seat held live; someone else taking a picked seat is explained', async () => {
  const { map, socket } = await openMap()
  await tap(seat(map, 'G-5'))
  socket.receive({
    type: 'delta',
    from_seq: 11,
    seq: 11,
    changes: [{ seat: 'D-4', state: 'held', hold_id: 'x' }],
  })
  await flush()
  expect(stateOf(map, 'D-4')).toBe('held')
  socket.receive({ type: 'delta', from_seq: 12, seq: 12, changes: [{ seat: 'G-5', state: 'sold' }] })
  await flush()
  expect(stateOf(map, 'G-5')).toBe('sold')
  expect(textOf(map, '.refusal')).toBe('你选的座位G排5座刚被别人选走了')
  expect(map.querySelectorAll('.picked-seat')).toHaveLength(0)
})

test('zoom stays between the whole hall (1x) and 4x; the buttons continue from a pinch', async () => {
  const { map } = await openMap()
  for (let i = 0; i < 8; i += 1) await tap(map.querySelector('.zoom-in'))
  expect(map.data.scale).toBe(4)
  for (let i = 0; i < 8; i += 1) await tap(map.querySelector('.zoom-out'))
  expect(map.data.scale).toBe(1)
  map.instance.onScale({ detail: { x: -100, y: -50, scale: 1.3 } })
  await tap(map.querySelector('.zoom-in'))
  expect(map.data.scale).toBe(1.8)
  expect(textOf(map, '.zoom-value')).toBe('1.8x')
})

test('a double tap zooms in keeping the tapped point under the finger, another one zooms out', async () => {
  const { map } = await openMap()
  const { x, hall } = map.data
  map.instance.areaTop = 0
  const at = { x: 300, y: 120 }
  const before = {
    x: hall.width / 2 + (at.x - x - hall.width / 2),
    y: hall.height / 2 + (at.y - hall.height / 2),
  }
  map.instance.onHallTap({ target: { dataset: {} }, detail: at })
  map.instance.onHallTap({ target: { dataset: {} }, detail: at })
  await flush()
  const { scale } = map.data
  expect(scale).toBe(2.5)
  // The hall point that was under the finger is still there.
  expect(map.data.x + hall.width / 2 + (before.x - hall.width / 2) * scale).toBeCloseTo(at.x, 0)
  expect(map.data.y + hall.height / 2 + (before.y - hall.height / 2) * scale).toBeCloseTo(at.y, 0)
  map.instance.onHallTap({ target: { dataset: {} }, detail: at })
  map.instance.onHallTap({ target: { dataset: {} }, detail: at })
  await flush()
  expect(map.data.scale).toBe(1)
  expect(Math.round(map.data.x)).toBe(Math.round(x))
})

test('row labels follow the rows when zoomed; a large hall zoomed in shows the overview thumbnail', async () => {
  const { map } = await openMap()
  const atFit = map.data.labelHeight
  expect(atFit).toBe(map.data.hall.rowHeight)
  expect(map.querySelector('.thumb')).toBeUndefined()
  map.instance.onScale({ detail: { x: 0, y: 0, scale: 2 } })
  await flush()
  expect(map.data.labelHeight).toBe(atFit * 2)
  expect(map.querySelector('.thumb')).toBeDefined()
  // 12 rows in three blocks each, and the visible part drawn over them, smaller than the whole.
  expect(map.querySelectorAll('.thumb-block')).toHaveLength(36)
  expect(map.data.thumbView.width).toBeLessThan(map.data.thumb.width)
  expect(map.data.thumbView.width).toBeGreaterThan(0)
})

test('a pick that would leave a lone seat is named at once, and confirm asks nobody', async () => {
  const { wx, map } = await openMap()
  await tap(seat(map, 'E-2'))
  expect(textOf(map, '.refusal')).toBe('请不要留下单个空座（E排1座），换个选法吧')
  expect(classesOf(seat(map, 'E-1'))).toContain('stranded')
  await tap(map.querySelector('.confirm-button'))
  await flush()
  expect(wx.requestsTo('POST', `/api/v1/showtimes/${SHOWTIME}/holds`)).toHaveLength(0)
  expect(textOf(map, '.refusal')).toBe('请不要留下单个空座（E排1座），换个选法吧')
  // Taking the lone seat too settles it.
  await tap(seat(map, 'E-1'))
  expect(map.querySelector('.refusal')).toBeUndefined()
  expect(classesOf(seat(map, 'E-1'))).not.toContain('stranded')
  expect(map.querySelectorAll('.picked-seat').map((el) => el.dom.textContent.trim())).toEqual([
    'E排1座 ¥45 ✕',
    'E排2座 ¥45 ✕',
  ])
})

test('the view from the last picked seat is described under the map', async () => {
  const { map } = await openMap()
  expect(map.querySelector('.seat-view')).toBeUndefined()
  await tap(seat(map, 'L-10'))
  expect(textOf(map, '.seat-view-title')).toBe('座位视野')
  expect(textOf(map, '.seat-view-caption')).toMatch(/^距银幕约\d+米 · 银幕占视野\d+°$/)
  const back = textOf(map, '.seat-view-caption')
  await tap(seat(map, 'L-10'))
  await tap(seat(map, 'A-10'))
  expect(textOf(map, '.seat-view-caption')).not.toBe(back)
})

test('a gap in the deltas reconnects from the last good seq; the banner shows while reconnecting', async () => {
  const { wx, map, socket } = await openMap()
  socket.receive({
    type: 'delta',
    from_seq: 11,
    seq: 11,
    changes: [{ seat: 'D-4', state: 'held', hold_id: 'x' }],
  })
  socket.receive({
    type: 'delta',
    from_seq: 13,
    seq: 13,
    changes: [{ seat: 'D-5', state: 'held', hold_id: 'y' }],
  })
  await flush()
  expect(stateOf(map, 'D-5')).toBe('free')
  expect(wx.sockets).toHaveLength(2)
  expect(wx.lastSocket().query).toEqual({ since: '11', epoch: 'e1' })
  wx.lastSocket().serverClose(1006)
  await flush()
  expect(textOf(map, '.live-banner')).toBe('实时座位连接中断，正在重连…')
})

test('an unknown showtime on the socket is reported, not retried', async () => {
  const { wx, map, socket } = await openMap()
  socket.serverClose(4404, 'no such showtime')
  await flush()
  expect(textOf(map, '.live-banner')).toBe('实时座位暂不可用，座位状态可能不是最新 (not_found)')
  expect(wx.sockets).toHaveLength(1)
})

test('wheelchair spaces are held with accessible: true', async () => {
  const { wx, map } = await openMap()
  wx.route('POST', `/api/v1/showtimes/${SHOWTIME}/holds`, (req) => ({
    id: 'h3',
    seats: req.data.seats,
    expires_at: '2030-01-01T20:15:00+08:00',
    amount_fen: 4500,
  }))
  await tap(seat(map, 'A-1'))
  await tap(map.querySelector('.confirm-button'))
  await flush()
  expect(wx.requestsTo('POST', `/api/v1/showtimes/${SHOWTIME}/holds`)[0].data).toEqual({
    seats: ['A-1'],
    accessible: true,
  })
})

test('changing the picks after holding releases the old hold first; release gives the seats back', async () => {
  const { wx, map } = await openMap()
  let n = 0
  wx.route('POST', `/api/v1/showtimes/${SHOWTIME}/holds`, (req) => ({
    id: `h${(n += 1)}`,
    seats: req.data.seats || ['F-10', 'F-11'],
    expires_at: '2030-01-01T20:15:00+08:00',
    amount_fen: 0,
  }))
  wx.route('DELETE', /^\/api\/v1\/holds\/h\d$/, () => null)
  await tap(map.querySelectorAll('.best-button')[1])
  await flush()
  await tap(seat(map, 'F-12'))
  await tap(map.querySelector('.confirm-button'))
  await flush()
  expect(wx.requestsTo('DELETE', /holds/).map((r) => r.path)).toEqual(['/api/v1/holds/h1'])
  expect(wx.requestsTo('POST', /holds$/)[1].data).toEqual({ seats: ['F-10', 'F-11', 'F-12'] })
  await tap(map.querySelector('.release-button'))
  await flush()
  expect(wx.requestsTo('DELETE', /holds/).map((r) => r.path)).toEqual([
    '/api/v1/holds/h1',
    '/api/v1/holds/h2',
  ])
  expect(stateOf(map, 'F-12')).toBe('picked')
  expect(map.querySelector('.release-button')).toBeUndefined()
})

test('my existing hold (from the snapshot) shows as picked, ready to confirm without a new hold', async () => {
  const myHold = {
    id: 'h9',
    seats: ['G-7', 'G-8'],
    expires_at: '2030-01-01T20:15:00+08:00',
    amount_fen: 9000,
  }
  const { wx, map } = await openMap({
    states: { 'G-7': 'held', 'G-8': 'held' },
    mine: ['G-7', 'G-8'],
    my_hold: myHold,
  })
  expect(stateOf(map, 'G-7')).toBe('picked')
  const held = jest.fn()
  map.addEventListener('held', held)
  await tap(map.querySelector('.confirm-button'))
  await flush()
  expect(wx.requestsTo('POST', /holds$/)).toHaveLength(0)
  expect(held.mock.calls[0][0].detail.hold.id).toBe('h9')
})

test('refusals follow the language: English when WeChat runs in English', async () => {
  const wx = createFakeWx({ language: 'en' })
  global.wx = wx
  wx.route('GET', `/api/v1/showtimes/${SHOWTIME}/seats`, () =>
    seatsAnswer(SHOWTIME, bigHall(), BIG_HALL_PRICES)
  )
  wx.route('POST', `/api/v1/showtimes/${SHOWTIME}/holds`, () => errorReply(409, 'no_block', { count: 4 }))
  const map = renderComponent('seat-map', { showtimeId: SHOWTIME })
  open.push(map)
  await flush()
  expect(textOf(map, '.screen')).toBe('Screen')
  await tap(map.querySelectorAll('.best-button')[3])
  await flush()
  expect(textOf(map, '.refusal')).toBe('No 4 free seats side by side; try picking by hand')
  await tap(map.querySelector('#seat-E-2'))
  expect(textOf(map, '.refusal')).toBe(
    'Please do not leave a single empty seat (Row E Seat 1); try another choice'
  )
  expect(textOf(map, '.picked-seat')).toBe('Row E Seat 2 ¥45 ✕')
  expect(map.querySelectorAll('.zone-legend').map((el) => el.dom.textContent.trim())).toEqual([
    'Standard ¥45',
    'Premium ¥60',
    'Couple ¥50',
  ])
})

test("the hold's own delta arriving before its answer is not reported as seats taken", async () => {
  const { wx, map, socket } = await openMap()
  wx.route('POST', `/api/v1/showtimes/${SHOWTIME}/holds`, (req) => {
    // The service publishes the change before the HTTP answer reaches the app.
    socket.receive({
      type: 'delta',
      from_seq: 11,
      seq: 11,
      changes: req.data.seats.map((s) => ({ seat: s, state: 'held', hold_id: 'h7' })),
    })
    return { id: 'h7', seats: req.data.seats, expires_at: '2030-01-01T20:15:00+08:00', amount_fen: 9000 }
  })
  await tap(seat(map, 'J-9'))
  await tap(seat(map, 'J-10'))
  await tap(map.querySelector('.confirm-button'))
  await flush()
  expect(map.querySelector('.refusal')).toBeUndefined()
  expect(stateOf(map, 'J-9')).toBe('picked')
  expect(stateOf(map, 'J-10')).toBe('picked')
})
