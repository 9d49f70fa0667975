/**
 * The waiting page as fans see it, at 375x812 and 360x780 with the demo's data (the picture
 * harness of pages.test.js: render.js, browser.js): in line after the opening (place, wait, the
 * bar part-filled) and admitted ("轮到你了"). Measured as laid out: no text overflows, the place
 * in big type and the bar inside the screen, the bar filled as far as the line came. Pictures in
 * test-artifacts/pictures/ (`PICTURES_TO_DOCS=1` also keeps the 375 px ones in docs/miniprogram/).
 */
const fs = require('fs')
const path = require('path')
const { createFakeWx, flush } = require('../support/fake-wx')
const { openPage } = require('../support/pages')
const { setScreenWidth, writePhone } = require('./render')
const { routeDemo } = require('./demo')
const { shoot } = require('./shoot')

const ARTEFACTS = path.resolve(__dirname, '../../../test-artifacts/pictures')
const DOCS = path.resolve(__dirname, '../../../docs/miniprogram')
const SCREENS = [
  [375, 812],
  [360, 780],
]
const LATIN_NAMES = ['IMAX', '3D', '2D', 'VIP', 'Mandarin']

/** Run in the page's frame: the place and the bar on screen, the bar filled as expected. */
function lineCheck(expectedPct, admitted) {
  return `() => {
    const findings = []
    const one = (name) => document.querySelector('[class~="main--' + name + '"]')
    const inside = (el, what) => {
      if (!el) { findings.push('no ' + what); return }
      const r = el.getBoundingClientRect()
      if (r.left < 0 || r.right > window.innerWidth || r.top < 0 || r.bottom > window.innerHeight)
        findings.push(what + ' outside the screen')
    }
    inside(one('bar'), 'progress bar')
    inside(one(${admitted ? "'turn'" : "'count'"}), ${admitted ? "'the turn'" : "'the place'"})
    const bar = one('bar'), fill = one('fill')
    if (bar && fill) {
      const pct = Math.round((fill.getBoundingClientRect().width / bar.getBoundingClientRect().width) * 100)
      if (Math.abs(pct - ${expectedPct}) > 1) findings.push('bar filled ' + pct + '%, not ${expectedPct}%')
    }
    return findings
  }`
}

async function render(width, height, admitted) {
  const wx = createFakeWx()
  global.wx = wx
  routeDemo(wx)
  const user = { id: 1, kind: 'user', role: 'moviegoer', name: '影迷小王' }
  wx.setStorageSync('seatcore.session', { token: 'token-demo', expiresAt: Date.now() + 3600000, user })
  setScreenWidth(width)
  const page = await openPage('waiting', { showtime_id: '101' }, () => flush(20))
  const socket = wx.lastSocket()
  socket.open()
  socket.receive({ type: 'place', showtime_id: 101, number: 1860, served: 0, per_minute: 600, open: true })
  socket.receive({ type: 'line', served: 1240, per_minute: 600, open: true })
  if (admitted) {
    socket.receive({
      type: 'admitted',
      token: '101.1.1900000000000.ab',
      expires_at: '2030-03-17T12:00:00.000Z',
    })
  }
  await flush(5)
  const titled = wx.calls.setNavigationBarTitle.pop()
  const base = `waiting${admitted ? '-admitted' : ''}-${width}`
  const file = writePhone({
    name: 'waiting',
    page,
    title: titled && titled.title,
    width,
    height,
    out: ARTEFACTS,
    base,
  })
  page.instance.onUnload()
  page.detach()
  delete global.wx
  const check = lineCheck(admitted ? 100 : 67, admitted)
  return { file, width, height, png: path.join(ARTEFACTS, `${base}.png`), allowed: LATIN_NAMES, check }
}

let findings = {}

beforeAll(async () => {
  fs.mkdirSync(ARTEFACTS, { recursive: true })
  const jobs = []
  for (const [width, height] of SCREENS) {
    jobs.push(await render(width, height, false))
    jobs.push(await render(width, height, true))
  }
  findings = await shoot(jobs, ARTEFACTS, 'waiting')
  if (process.env.PICTURES_TO_DOCS) {
    for (const base of ['waiting', 'waiting-admitted']) {
      fs.copyFileSync(path.join(ARTEFACTS, `${base}-${SCREENS[0][0]}.png`), path.join(DOCS, `${base}.png`))
    }
  }
}, 240000)

describe.each(SCREENS)('at %i x %i', (width) => {
  test('in line: the place, the wait and the bar, all on screen', () => {
    expect(findings[path.join(ARTEFACTS, `waiting-${width}.png`)]).toEqual([])
  })

  test('admitted: the turn and a full bar', () => {
    expect(findings[path.join(ARTEFACTS, `waiting-admitted-${width}.png`)]).toEqual([])
  })
})
