/** Display formats: money (integer fen on the wire), countdowns and cinema wall-clock times. */

/** 4550 -> "¥45.50", 4500 -> "¥45". */
export function yuan(fen) {
  const text = ((Number(fen) || 0) / 100).toFixed(2)
  return `¥${text.endsWith('.00') ? text.slice(0, -3) : text}`
}

/** Milliseconds as "m:ss" (never negative). */
export function countdown(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000))
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`
}

/**
 * "HH:MM" of an ISO time as the cinema sees it: the service sends times with the cinema's UTC
 * offset, so the digits are already the cinema's wall clock.
 */
export function clock(iso) {
  const match = /T(\d{2}):(\d{2})/.exec(iso || '')
  return match ? `${match[1]}:${match[2]}` : ''
}

/** "YYYY-MM-DD" of an ISO time, in the cinema's zone. */
export function isoDate(iso) {
  const match = /^(\d{4}-\d{2}-\d{2})/.exec(iso || '')
  return match ? match[1] : ''
}

/** The next `count` dates from today, "YYYY-MM-DD", in the browser's zone. */
export function nextDates(count, now = new Date()) {
  const dates = []
  for (let i = 0; i < count; i += 1) {
    const day = new Date(now.getFullYear(), now.getMonth(), now.getDate() + i)
    const pad = (n) => String(n).padStart(2, '0')
    dates.push(`${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`)
  }
  return dates
}

/** Metres as the cinema lists show them: 850 -> "850米", 4200 -> "4.2公里" ("m"/"km" in English). */
export function distance(metres, lang = 'zh') {
  if (metres === null || metres === undefined || Number.isNaN(Number(metres))) return ''
  const en = lang === 'en'
  if (metres < 1000) return `${Math.round(metres)}${en ? 'm' : '米'}`
  const km = metres / 1000
  return `${km < 100 ? km.toFixed(1) : Math.round(km)}${en ? 'km' : '公里'}`
}

/** The service's display names (`genre_names` beside `genres`), the codes when it sent none. */
export function displayNames(names, codes) {
  return (names && names.length ? names : codes || []).join(' / ')
}
