/**
 * Display formats: money (integer fen on the wire), times (ISO 8601 in the cinema's zone) and
 * the date tabs of a cinema's schedule.
 */

/** 4550 -> "¥45.50", 4500 -> "¥45". */
const { seatName } = require('./seat-labels')

function yuan(fen) {
  const value = (Number(fen) || 0) / 100
  const text = value.toFixed(2)
  return `¥${text.endsWith('.00') ? text.slice(0, -3) : text}`
}

/**
 * "HH:MM" of an ISO time as the cinema sees it: the service sends times with the cinema's
 * UTC offset, so the wall-clock digits are already local to the cinema.
 */
function clock(iso) {
  const match = /T(\d{2}):(\d{2})/.exec(iso || '')
  return match ? `${match[1]}:${match[2]}` : ''
}

/** "YYYY-MM-DD" of an ISO time, in the cinema's zone (see clock). */
function isoDate(iso) {
  const match = /^(\d{4}-\d{2}-\d{2})/.exec(iso || '')
  return match ? match[1] : ''
}

/** "MM-DD HH:MM" of an ISO time. */
function dayAndClock(iso) {
  const date = isoDate(iso)
  return date ? `${date.slice(5)} ${clock(iso)}` : ''
}

/** Today's date in `timeZone` (an IANA name), falling back to the device's zone. */
function todayIn(timeZone, now) {
  const when = now === undefined ? new Date() : new Date(now)
  try {
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).formatToParts(when)
    const get = (type) => parts.find((p) => p.type === type).value
    return `${get('year')}-${get('month')}-${get('day')}`
  } catch (err) {
    const pad = (n) => String(n).padStart(2, '0')
    return `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}`
  }
}

const WEEKDAYS = {
  zh: ['周日', '周一', '周二', '周三', '周四', '周五', '周六'],
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
}
const NEAR = { zh: ['今天', '明天', '后天'], en: ['Today', 'Tomorrow'] }

/** `count` date tabs from `today` ("YYYY-MM-DD"): `[{date, label, day}]`. */
function dateTabs(today, count, locale) {
  const lang = locale === 'en' ? 'en' : 'zh'
  const [y, m, d] = today.split('-').map(Number)
  const tabs = []
  for (let i = 0; i < count; i += 1) {
    const date = new Date(Date.UTC(y, m - 1, d + i))
    const iso = date.toISOString().slice(0, 10)
    const label = NEAR[lang][i] || WEEKDAYS[lang][date.getUTCDay()]
    const day = lang === 'zh' ? `${date.getUTCMonth() + 1}月${date.getUTCDate()}日` : iso.slice(5)
    tabs.push({ date: iso, label, day })
  }
  return tabs
}

/** Milliseconds left until an ISO time (never negative). */
function remainingMs(iso, now) {
  const end = Date.parse(iso)
  if (Number.isNaN(end)) return 0
  return Math.max(0, end - (now === undefined ? Date.now() : now))
}

/** 125000 -> "02:05". */
function mmss(ms) {
  const total = Math.ceil(ms / 1000)
  const pad = (n) => String(n).padStart(2, '0')
  return `${pad(Math.floor(total / 60))}:${pad(total % 60)}`
}

/** "B排7座" (zh) or "Row B Seat 7" (en): the seat page's own naming (lib/seat-labels.js). */
const seatLabel = seatName

/** The service's seat id as a person reads it: "E-7" -> "E排7座"; other shapes pass through. */
function seatIdLabel(id, locale) {
  const match = /^([A-Za-z]+)-(\d+)$/.exec(id || '')
  return match ? seatLabel(match[1], match[2], locale) : String(id || '')
}

/** ["E-7", "E-8"] -> "E排7座 E排8座". */
function seatIdLabels(ids, locale) {
  return (ids || []).map((id) => seatIdLabel(id, locale)).join(' ')
}

/** Metres to a distance as the cinema list shows it: 850 -> "850m" / "850米", 4200 -> "4.2km". */
function distance(metres, locale) {
  if (metres === null || metres === undefined || Number.isNaN(Number(metres))) return ''
  const en = locale === 'en'
  if (metres < 1000) return `${Math.round(metres)}${en ? 'm' : '米'}`
  const km = metres / 1000
  return `${km < 100 ? km.toFixed(1) : Math.round(km)}${en ? 'km' : '公里'}`
}

/** The display names of codes the service sends with names (`genre_names` beside `genres`). */
function displayNames(names, codes) {
  return (names && names.length ? names : codes || []).join(' / ')
}

module.exports = {
  yuan,
  clock,
  isoDate,
  dayAndClock,
  todayIn,
  dateTabs,
  remainingMs,
  mmss,
  seatLabel,
  seatIdLabel,
  seatIdLabels,
  distance,
  displayNames,
}
