/**
 * The seat page as moviegoers see it, at 375x812 and 360x780 with the demo's data (the picture
 * harness of pages.test.js: render.js, browser.js), measured in the page as laid out: on open the
 * whole hall fits the width, the screen and its centre line within 5% of the screen's centre; the
 * confirm bar inside the viewport; every row's cells in the same columns and every seat inside its
 * column (couple pairs included);
 * each zone's legend swatch in its seats' colour; and after picks that would leave a lone seat,
 * the hint names it (F排5座), the chips read `H排10座 ¥45 ✕`. Pictures in test-artifacts/pictures/
 * (`PICTURES_TO_DOCS=1` also keeps the 375 px ones in docs/miniprogram/).
 */
const fs = require('fs')
const path = require('path')
const { execFile } = require('child_process')
const { createFakeWx, flush } = require('../support/fake-wx')
const { openPage } = require('../support/pages')
const { setScreenWidth, writePhone } = require('./render')
const { routeDemo } = require('./demo')

const ARTEFACTS = path.resolve(__dirname, '../../../test-artifacts/pictures')
const DOCS = path.resolve(__dirname, '../../../docs/miniprogram')
const SCREENS = [
  [375, 812],
  [360, 780],
]
const NAV_PX = 88 // status and navigation bars of the phone frame
// The page head's language comes from the service's display names (checked by pages.test.js).
const LATIN_NAMES = ['IMAX', '3D', '2D', 'VIP', 'Mandarin']

/** Run in the page's frame: findings about the seat map as laid out (an empty list when right). */
function seatMapCheck() {
  const findings = []
  const vw = window.innerWidth
  const vh = window.innerHeight
  const all = (name) => Array.from(document.querySelectorAll(`[class~="seat-map--${name}"]`))
  const box = (name) => all(name)[0].getBoundingClientRect()
  const seats = all('seat').map((el) => el.getBoundingClientRect())
  const left = Math.min(...seats.map((r) => r.left))
  const right = Math.max(...seats.map((r) => r.right))
  if (left < 0 || right > vw) findings.push(`the hall does not fit the width: ${left}..${right} of ${vw}`)
  const off = (r) => Math.abs((r.left + r.right) / 2 - vw / 2)
  if (off(box('screen')) > 0.05 * vw) findings.push(`the screen is off centre by ${off(box('screen'))}px`)
  if (off(box('centre-line')) > 0.05 * vw)
    findings.push(`the centre line is off by ${off(box('centre-line'))}px`)
  if (off({ left, right }) > 0.05 * vw) findings.push(`the seats are off centre by ${off({ left, right })}px`)
  const bar = box('confirm-bar')
  if (bar.top < 0 || bar.bottom > vh + 0.5)
    findings.push(`the confirm bar is outside the screen: ${bar.top}..${bar.bottom}`)
  const columns = (row) =>
    Array.from(row.querySelectorAll('[class~="seat-map--cell"]')).map((c) =>
      Math.round(c.getBoundingClientRect().left)
    )
  const rows = all('row').map(columns)
  rows.forEach((cols, i) => {
    if (cols.join() !== rows[0].join()) findings.push(`row ${i + 1} is out of line with the first row`)
  })
  const astray = all('seat').filter((el) => {
    const seat = el.getBoundingClientRect()
    const cell = el.parentElement.getBoundingClientRect()
    return seat.left < cell.left - 0.5 || seat.right > cell.right + 0.5
  })
  if (astray.length) findings.push(`${astray.length} seats stray out of their columns`)
  const colour = (el) => getComputedStyle(el).borderTopColor
  all('zone-legend').forEach((item) => {
    const swatch = item.querySelector('[class~="seat-map--swatch"]')
    const zone = Array.from(swatch.classList).find((c) => /--zone-\d$/.test(c))
    const seat = document.querySelector(
      `[class~="seat-map--seat"][class~="${zone}"][class~="seat-map--free"]:not([class~="seat-map--wheelchair"])`
    )
    if (seat && colour(seat) !== colour(swatch))
      findings.push(`legend ${item.textContent.trim()}: not its seats' colour`)
  })
  return findings
}

function pickedCheck() {
  const findings = []
  const text = (name) =>
    Array.from(document.querySelectorAll(`[class~="seat-map--${name}"]`)).map((el) => el.textContent.trim())
  if (!/F排5座/.test(text('refusal').join())) findings.push(`no hint naming F排5座: ${text('refusal')}`)
  const chips = text('picked-seat')
  if (chips.join('|') !== 'F排6座 ¥60 ✕|H排10座 ¥45 ✕|H排11座 ¥45 ✕')
    findings.push(`chips: ${chips.join('|')}`)
  return findings
}

async function render(width, height, picks) {
  const wx = createFakeWx()
  global.wx = wx
  wx.getWindowInfo = () => ({ windowWidth: width, windowHeight: height - NAV_PX, pixelRatio: 2 })
  routeDemo(wx)
  const user = { id: 1, kind: 'user', role: 'moviegoer', name: '影迷小王' }
  wx.setStorageSync('seatcore.session', { token: 'token-demo', expiresAt: Date.now() + 3600000, user })
  setScreenWidth(width)
  const page = await openPage('seats', { showtime_id: '101' }, () => flush(20))
  const map = page.querySelector('#map')
  for (const id of picks) {
    map.querySelector(`#seat-${id}`).dispatchEvent('tap')
    await flush(5)
  }
  const titled = wx.calls.setNavigationBarTitle.pop()
  const base = `seat-map${picks.length ? '-picked' : ''}-${width}`
  const file = writePhone({
    name: 'seats',
    page,
    title: titled && titled.title,
    width,
    height,
    out: ARTEFACTS,
    base,
  })
  page.detach()
  delete global.wx
  const check = picks.length ? `() => (${seatMapCheck})().concat((${pickedCheck})())` : String(seatMapCheck)
  return { file, width, height, png: path.join(ARTEFACTS, `${base}.png`), allowed: LATIN_NAMES, check }
}

function runBrowser(jobs) {
  const jobFile = path.join(ARTEFACTS, 'seat-map-jobs.json')
  fs.writeFileSync(jobFile, JSON.stringify(jobs))
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(__dirname, 'browser.js'), jobFile],
      { maxBuffer: 16 << 20 },
      (err, out, e) =>
        err ? reject(new Error(`the browser failed: ${e || err.message}`)) : resolve(JSON.parse(out).findings)
    )
  })
}

let findings = {}

beforeAll(async () => {
  fs.mkdirSync(ARTEFACTS, { recursive: true })
  const jobs = []
  for (const [width, height] of SCREENS) {
    jobs.push(await render(width, height, []))
    jobs.push(await render(width, height, ['H-10', 'H-11', 'F-6']))
  }
  findings = await runBrowser(jobs)
  if (process.env.PICTURES_TO_DOCS) {
    for (const base of ['seat-map', 'seat-map-picked']) {
      fs.copyFileSync(path.join(ARTEFACTS, `${base}-${SCREENS[0][0]}.png`), path.join(DOCS, `${base}.png`))
    }
  }
}, 240000)

describe.each(SCREENS)('at %i x %i', (width) => {
  test('on open: the whole hall fits, centred on the screen line; the bar on screen; rows in line', () => {
    expect(findings[path.join(ARTEFACTS, `seat-map-${width}.png`)]).toEqual([])
  })

  test('after picks: the stranded-seat hint and the chips, all on screen', () => {
    expect(findings[path.join(ARTEFACTS, `seat-map-picked-${width}.png`)]).toEqual([])
  })
})
