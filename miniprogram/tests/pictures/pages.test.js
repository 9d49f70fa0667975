/**
 * Every page as a moviegoer sees it: rendered with the demo's data at two phone sizes,
 * screenshotted in Chromium (test-artifacts/pictures/) and checked as laid out: no text
 * overflows its box or the screen, no English on the Chinese pages except names that are Latin
 * on purpose, and what each page adds (`check`). `PICTURES_TO_DOCS=1` also refreshes the 375 px
 * pictures in docs/miniprogram/.
 *
 * The pages render here (jsdom); the browser runs in its own process (browser.js says why),
 * once for every picture, before the tests read its findings.
 */
const fs = require('fs')
const path = require('path')
const { execFile } = require('child_process')
const { createFakeWx, errorReply, flush } = require('../support/fake-wx')
const { openPage } = require('../support/pages')
const { setScreenWidth, writePhone, posterSvg } = require('./render')
const { MOVIES, SHOWTIMES, TICKETED, PENDING, SNACKS_ONLY, routeDemo } = require('./demo')
const { snackImage } = require('./demo-extras')

const ARTEFACTS = path.resolve(__dirname, '../../../test-artifacts/pictures')
const DOCS = path.resolve(__dirname, '../../../docs/miniprogram')
const SCREENS = [
  [375, 812],
  [360, 780],
]
// Latin on purpose: formats, and the demo's names that are English in Chinese apps too.
const LATIN_NAMES = ['IMAX', '3D', '2D', 'VIP', 'Marcus Hale']

function posters(src) {
  const match = /\/media\/posters\/(\d+)\.png$/.exec(src)
  if (!match) return snackImage(src)
  const movie = MOVIES.find((m) => m.id === Number(match[1]))
  return movie ? posterSvg(movie.title, movie.id) : ''
}

/** Seats as a person reads them (`E排7座`), never the service's ids (`E-7`). */
function seatLabelsCheck() {
  const ids = document.body.innerText.match(/\b[A-Z]-\d+\b/g)
  return ids ? [`seat ids instead of labels: ${ids.join(' ')}`] : []
}

/**
 * The seat page on open: the whole hall's width inside the screen, the screen's centre line
 * within 5% of the screen's centre, and the confirm bar (when seats are picked) on screen.
 */
function seatPageCheck() {
  const found = []
  const all = (suffix) =>
    Array.from(document.querySelectorAll(`[class*="--${suffix}"]`)).filter((el) =>
      el
        .getAttribute('class')
        .split(/\s+/)
        .some((c) => c.endsWith(`--${suffix}`))
    )
  const seats = all('seat').map((el) => el.getBoundingClientRect())
  if (!seats.length) return ['no seats drawn']
  const left = Math.min(...seats.map((r) => r.left))
  const right = Math.max(...seats.map((r) => r.right))
  if (left < 0 || right > window.innerWidth) {
    found.push(`hall from ${Math.round(left)} to ${Math.round(right)} px, screen ${window.innerWidth} px`)
  }
  const line = all('centre-line')[0]
  if (!line) found.push('no centre line')
  else {
    const r = line.getBoundingClientRect()
    const off = Math.abs((r.left + r.right) / 2 - window.innerWidth / 2) / window.innerWidth
    if (off > 0.05) found.push(`centre line ${Math.round(off * 100)}% off the screen's centre`)
  }
  all('confirm-bar').forEach((bar) => {
    const r = bar.getBoundingClientRect()
    if (r.top < 0 || r.bottom > window.innerHeight) found.push('confirm bar outside the screen')
  })
  return found
}

/** Tap the snack picker's "＋" of the snacks named by id, as the user would. */
function addSnacks(...ids) {
  return async (page) => {
    const picker = page.querySelector('#snack-picker')
    for (const id of ids) {
      picker
        .querySelectorAll('.plus')
        .find((el) => el.dom.dataset.id === String(id))
        .dispatchEvent('tap')
      await flush(5)
    }
  }
}

/**
 * Each page with the query it opens with, whether the user is signed in, and `check`: a function
 * run in the page's frame that answers a list of findings. `act`: what the user does before the
 * picture (taps); `scrollTo`: a class the picture scrolls to. `known`: a defect the picture shows
 * today, named, so the case is expected to fail until it is fixed.
 */
const CASES = [
  { name: 'home', query: {} },
  { name: 'cinemas', query: {} },
  { name: 'mine', query: {}, signedIn: true },
  { name: 'movie', query: { id: '1' }, allowed: [MOVIES[0].original_title] },
  { name: 'showtimes', query: { cinema_id: '1' } },
  { name: 'showtimes', shot: 'showtimes-movie', query: { movie_id: '1' } },
  {
    name: 'seats',
    query: { showtime_id: '101' },
    signedIn: true,
    check: seatPageCheck,
  },
  {
    name: 'order',
    query: { order_id: PENDING.id },
    signedIn: true,
    check: seatLabelsCheck,
  },
  { name: 'orders', query: {}, signedIn: true, check: seatLabelsCheck },
  { name: 'ticket', query: { id: TICKETED.id }, signedIn: true, check: seatLabelsCheck },
  { name: 'favourites', query: {}, signedIn: true },
  // Snacks (卖品): at checkout after the seats, alone from the cinema, and the pickup code.
  {
    name: 'order',
    shot: 'order-snacks',
    query: { hold_id: 'h1', showtime_id: String(SHOWTIMES[0].id) },
    signedIn: true,
    act: addSnacks(1, 3),
    check: seatLabelsCheck,
  },
  {
    name: 'order',
    shot: 'order-snacks-total',
    query: { hold_id: 'h1', showtime_id: String(SHOWTIMES[0].id) },
    signedIn: true,
    act: addSnacks(1, 3),
    scrollTo: 'breakdown',
    check: seatLabelsCheck,
  },
  { name: 'snacks', query: { cinema_id: '1' }, signedIn: true, act: addSnacks(1, 4, 4) },
  {
    name: 'snacks',
    shot: 'snacks-points',
    query: { cinema_id: '1' },
    signedIn: true,
    act: async (page) => {
      await addSnacks(1, 4, 4)(page)
      await page.instance.togglePoints({ detail: { value: true } })
    },
  },
  {
    name: 'snacks',
    shot: 'snacks-sold-out',
    query: { cinema_id: '1' },
    signedIn: true,
    act: async (page) => {
      await addSnacks(2, 2)(page)
      global.wx.route('POST', '/api/v1/snack-orders', () =>
        errorReply(409, 'snack_sold_out', { snack_id: 2, left: 1 })
      )
      await page.instance.pay()
    },
  },
  // The paid order further down: its snacks' pickup code, 改签 and refund, 猜你喜欢 after a purchase.
  {
    name: 'ticket',
    shot: 'ticket-paid',
    query: { id: TICKETED.id },
    signedIn: true,
    scrollTo: 'pickup-wrap',
  },
  { name: 'ticket', shot: 'snacks-order', query: { id: SNACKS_ONLY.id }, signedIn: true },
  {
    name: 'ticket',
    shot: 'snacks-order-refund',
    query: { id: SNACKS_ONLY.id },
    signedIn: true,
    act: (page) => page.instance.refund(),
    scrollTo: 'quote',
  },
  // The refund quote before confirming.
  {
    name: 'ticket',
    shot: 'ticket-refund-quote',
    query: { id: TICKETED.id },
    signedIn: true,
    act: (page) => page.instance.refund(),
    scrollTo: 'quote',
  },
  // 改签: another showtime, seats in exchange mode, the confirmation, done.
  { name: 'exchange', query: { order_id: TICKETED.id }, signedIn: true, check: seatLabelsCheck },
  {
    name: 'seats',
    shot: 'seats-exchange',
    query: { showtime_id: String(SHOWTIMES[2].id), exchange: TICKETED.id, count: '2' },
    signedIn: true,
    check: seatPageCheck,
  },
  {
    name: 'exchange-confirm',
    query: { order_id: TICKETED.id, hold_id: 'h2', showtime_id: String(SHOWTIMES[2].id) },
    signedIn: true,
    check: seatLabelsCheck,
  },
  {
    name: 'exchange-confirm',
    shot: 'exchange-done',
    query: { order_id: TICKETED.id, hold_id: 'h2', showtime_id: String(SHOWTIMES[2].id) },
    signedIn: true,
    act: (page) => page.instance.confirm(),
    check: seatLabelsCheck,
  },
]

const shotName = (spec) => spec.shot || spec.name

async function render(spec, width, height) {
  const wx = createFakeWx()
  global.wx = wx
  routeDemo(wx)
  // The user lets the app know where they are: a few streets from People's Square, Shanghai.
  wx.location = { latitude: 31.2304, longitude: 121.4737 }
  wx.setStorageSync('seatcore.city', '上海')
  if (spec.signedIn) {
    const user = { id: 1, kind: 'user', role: 'moviegoer', name: '影迷小王' }
    wx.setStorageSync('seatcore.session', { token: 'token-demo', expiresAt: Date.now() + 3600000, user })
  }
  setScreenWidth(width)
  // Simulate leaves each render's styles in the document, all prefixed alike: start clean.
  document.head.querySelectorAll('style').forEach((style) => style.remove())
  const page = await openPage(spec.name, spec.query, () => flush(20))
  if (spec.act) {
    await spec.act(page)
    await flush(20)
  }
  const titled = wx.calls.setNavigationBarTitle.pop()
  const base = `${shotName(spec)}-${width}`
  const file = writePhone({
    name: spec.name,
    page,
    title: titled && titled.title,
    width,
    height,
    out: ARTEFACTS,
    base,
    images: posters,
  })
  if (page.instance.onUnload) page.instance.onUnload()
  page.detach()
  delete global.wx
  return {
    file,
    width,
    height,
    png: path.join(ARTEFACTS, `${base}.png`),
    allowed: LATIN_NAMES.concat(spec.allowed || []),
    check: spec.check ? String(spec.check) : null,
    scrollTo: spec.scrollTo || null,
  }
}

function runBrowser(jobs) {
  const jobFile = path.join(ARTEFACTS, 'jobs.json')
  fs.writeFileSync(jobFile, JSON.stringify(jobs))
  return new Promise((resolve, reject) => {
    const script = path.join(__dirname, 'browser.js')
    execFile(process.execPath, [script, jobFile], { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`the browser failed: ${stderr || err.message}`))
      else resolve(JSON.parse(stdout).findings)
    })
  })
}

let findings = {}

beforeAll(async () => {
  const jobs = []
  for (const [width, height] of SCREENS) {
    for (const spec of CASES) jobs.push(await render(spec, width, height))
  }
  findings = await runBrowser(jobs)
  fs.writeFileSync(path.join(ARTEFACTS, 'findings.json'), JSON.stringify(findings, null, 2))
  if (process.env.PICTURES_TO_DOCS) {
    fs.mkdirSync(DOCS, { recursive: true })
    CASES.forEach((spec) => {
      const base = shotName(spec)
      fs.copyFileSync(path.join(ARTEFACTS, `${base}-${SCREENS[0][0]}.png`), path.join(DOCS, `${base}.png`))
    })
  }
}, 240000)

describe.each(SCREENS)('at %i x %i', (width) => {
  CASES.forEach((spec) => {
    const run = spec.known ? test.failing : test
    run(`${shotName(spec)}${spec.known ? ` (known: ${spec.known})` : ''}`, () => {
      const png = path.join(ARTEFACTS, `${shotName(spec)}-${width}.png`)
      expect(fs.existsSync(png)).toBe(true)
      expect(findings[png]).toEqual([])
    })
  })
})
