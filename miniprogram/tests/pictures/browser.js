/**
 * Headless Chromium (Debian's, at $CHROMIUM or /usr/bin/chromium; browsers cannot be downloaded
 * here) showing the phone files render.js writes: a screenshot, then measurements taken in the
 * page's frame as the browser laid it out.
 *
 * Runs as its own Node process (`node browser.js JOBS.json` prints the findings as JSON):
 * puppeteer does not run inside jest's jsdom environment, where the pages are rendered.
 */
const fs = require('fs')
const puppeteer = require('puppeteer-core')

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'

async function launch() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (make browser) or set CHROMIUM`)
  }
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--allow-file-access-from-files', '--font-render-hinting=none'],
  })
}

/**
 * Findings in the page as laid out, each a string naming the element and its text:
 * text that overflows its box or the screen, and Latin words other than `allowed` phrases.
 */
function measure(allowed) {
  const findings = []
  const describe = (el) => {
    const cls = (el.getAttribute('class') || '').replace(/\S*--/g, '')
    return `<${el.tagName.toLowerCase()} class="${cls}">`
  }
  // Text cut with an ellipsis, or in a row the user scrolls sideways, is meant to run on.
  const runsOnByDesign = (el) => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e)
      if (s.textOverflow === 'ellipsis' && s.overflow !== 'visible') return true
      if (e !== el && ['auto', 'scroll'].includes(s.overflowX)) return true
    }
    return false
  }
  const visible = (el) => {
    const s = getComputedStyle(el)
    return s.visibility !== 'hidden' && s.display !== 'none' && el.getClientRects().length > 0
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim()
    const el = node.parentElement
    if (!text || !visible(el) || runsOnByDesign(el)) continue
    const range = document.createRange()
    range.selectNodeContents(node)
    const box = el.getBoundingClientRect()
    const style = getComputedStyle(el)
    // A box may be narrower than its text only when it is an inline run inside a wider block.
    const inline = style.display === 'inline'
    for (const r of Array.from(range.getClientRects())) {
      if (r.width === 0) continue
      if (r.right > window.innerWidth + 1 || r.left < -1) {
        findings.push(`text leaves the screen: ${describe(el)} "${text}"`)
        break
      }
      if (!inline && (r.right > box.right + 1 || r.left < box.left - 1 || r.bottom > box.bottom + 2)) {
        findings.push(`text overflows its box: ${describe(el)} "${text}"`)
        break
      }
    }
  }
  let words = document.body.innerText
  document.querySelectorAll('.wx-placeholder').forEach((p) => (words += `\n${p.textContent}`))
  allowed.forEach((phrase) => (words = words.split(phrase).join(' ')))
  const latin = words.match(/[A-Za-z]{2,}/g)
  if (latin) findings.push(`Latin words on a Chinese page: ${Array.from(new Set(latin)).join(', ')}`)
  return findings
}

/** Scroll the page as the user would, until the element with class `name` is near the top. */
function scrollToClass(name) {
  const el = Array.from(document.querySelectorAll('[class]')).find((e) =>
    e
      .getAttribute('class')
      .split(/\s+/)
      .some((c) => c === name || c.endsWith(`--${name}`))
  )
  if (el) window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 12)
}

/**
 * Open `file` at `width` x `height`, save its screenshot at `png`, and answer the findings of
 * `measure` plus those of `check` (a function run in the page's frame that answers a list);
 * `scrollTo` names a class to scroll to first, for what a page shows below its first screen.
 */
async function shoot(browser, { file, width, height, png, allowed, check, scrollTo }) {
  const tab = await browser.newPage()
  try {
    await tab.setViewport({ width, height, deviceScaleFactor: 1 })
    await tab.goto(`file://${file}`, { waitUntil: 'load' })
    const frame = tab.frames().find((f) => f !== tab.mainFrame())
    await frame.evaluate(() => document.fonts.ready)
    await tab.evaluate(() => document.fonts.ready)
    if (scrollTo) await frame.evaluate(scrollToClass, scrollTo)
    await tab.screenshot({ path: png })
    const findings = await frame.evaluate(measure, allowed || [])
    if (check) findings.push(...(await frame.evaluate(`(${check})()`)))
    return findings
  } finally {
    await tab.close()
  }
}

/** Shoot every job of the file named on the command line; print `{findings: {png: [...]}}`. */
async function main() {
  const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
  const browser = await launch()
  const findings = {}
  try {
    for (const job of jobs) findings[job.png] = await shoot(browser, job)
  } finally {
    await browser.close()
  }
  process.stdout.write(JSON.stringify({ findings }))
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err.stack || err}\n`)
    process.exit(1)
  })
}
