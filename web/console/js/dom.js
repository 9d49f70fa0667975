/** Small DOM and formatting helpers shared by the console's views. */

/** An element with a class and text, or children. */
export function el(tag, className = '', ...content) {
  const node = document.createElement(tag)
  if (className) node.className = className
  for (const item of content) {
    if (item === null || item === undefined) continue
    node.append(item instanceof Node ? item : String(item))
  }
  return node
}

/** A <label> with text and a control. */
export function field(text, control) {
  const label = el('label', '', text)
  label.append(control)
  return label
}

export function input(name, { type = 'text', value = '', ...attrs } = {}) {
  const node = el('input')
  node.name = name
  node.type = type
  node.value = value
  for (const [key, val] of Object.entries(attrs)) node.setAttribute(key, val)
  return node
}

export function select(name, options, value) {
  const node = el('select')
  node.name = name
  for (const [val, text] of options) {
    const option = el('option', '', text)
    option.value = String(val)
    node.append(option)
  }
  if (value !== undefined && value !== null) node.value = String(value)
  return node
}

export function button(text, onClick, className = '') {
  const node = el('button', className, text)
  node.type = 'button'
  node.addEventListener('click', onClick)
  return node
}

/** 4550 -> "¥45.50", 4500 -> "¥45". */
export function yuan(fen) {
  const text = ((Number(fen) || 0) / 100).toFixed(2)
  return `¥${text.endsWith('.00') ? text.slice(0, -3) : text}`
}

/** "HH:MM" of an ISO time sent with the cinema's offset: the digits are the cinema's clock. */
export function clock(iso) {
  const match = /T(\d{2}):(\d{2})/.exec(iso || '')
  return match ? `${match[1]}:${match[2]}` : ''
}

/** "YYYY-MM-DD" of an ISO time in the cinema's zone. */
export function isoDate(iso) {
  return (iso || '').slice(0, 10)
}

/** A calendar date "YYYY-MM-DD" plus `days`. */
export function addDays(date, days) {
  const moment = new Date(`${date}T00:00:00Z`)
  moment.setUTCDate(moment.getUTCDate() + days)
  return moment.toISOString().slice(0, 10)
}

/** Today's date in an IANA zone, "YYYY-MM-DD". */
export function todayIn(zone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone || undefined }).format(new Date())
}

/**
 * The UTC offset ("+08:00") of an IANA zone at a wall-clock date and time there, so that the
 * console sends times exactly as the cinema reads them.
 */
export function offsetAt(zone, date, time) {
  const guess = new Date(`${date}T${time}:00Z`)
  const wall = wallClock(guess, zone)
  const get = (type) => Number(wall[type])
  const shown = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'))
  const minutes = Math.round((shown - guess.getTime()) / 60000)
  const sign = minutes < 0 ? '-' : '+'
  const abs = Math.abs(minutes)
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

/** An aware ISO time for a wall-clock date and time in the cinema's zone. */
export function cinemaTime(zone, date, time) {
  return `${date}T${time}:00${offsetAt(zone, date, time)}`
}

/**
 * Yuan as typed ("45", "45.5") -> fen (4550). Anything else is NaN, which JSON sends as null, so
 * the service answers why instead of the console guessing.
 */
export function fen(text) {
  const typed = String(text ?? '').trim()
  return /^\d+(\.\d{1,2})?$/.test(typed) ? Math.round(Number(typed) * 100) : NaN
}

/** Fen as the yuan digits a form field shows: 4550 -> "45.5", 4500 -> "45". */
export function yuanDigits(fen) {
  return yuan(fen).slice(1)
}

/** A table with a header row; cells are strings or nodes, `[text, 'num']` for right-aligned. */
export function table(className, heads, rows) {
  const cell = (tag, item) => (Array.isArray(item) ? el(tag, item[1], item[0]) : el(tag, '', item))
  const head = el('thead', '', el('tr', '', ...heads.map((h) => cell('th', h))))
  return el('table', `c-table ${className}`.trim(), head, el('tbody', '', ...rows))
}

/** An inline error line that a view fills with the service's answer (role=alert for readers). */
export function errorLine(id) {
  const node = el('p', 'c-error')
  node.id = id
  node.setAttribute('role', 'alert')
  return node
}

/** A whole number as typed, or NaN (sent as null, so the service says what is wrong). */
export function whole(value) {
  return /^\d+$/.test(String(value ?? '').trim()) ? Number(value) : NaN
}

/** A moment's wall clock in an IANA zone: {year, month, day, hour, minute} as 2-digit strings. */
function wallClock(moment, zone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone || undefined,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(moment)
  return Object.fromEntries(parts.map((p) => [p.type, p.value]))
}

/** "YYYY-MM-DD HH:MM" of any ISO time on the clock of an IANA zone (the chosen cinema's). */
export function localTime(iso, zone) {
  if (!iso) return '–'
  const wall = wallClock(new Date(iso), zone)
  return `${wall.year}-${wall.month}-${wall.day} ${wall.hour}:${wall.minute}`
}
