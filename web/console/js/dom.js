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
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(guess)
  const get = (type) => Number(parts.find((p) => p.type === type).value)
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
