/**
 * The web pages' analytics: the shared event queue (event-queue.js, the mini-program's file)
 * sending with fetch, the device id in local storage, and the page view timed while the tab is
 * visible. On `visibilitychange` to hidden and on `pagehide` the page view is recorded and the
 * queue sent with `keepalive`, so a closing tab still delivers it. Pages call one line each:
 * `trackPage('web/seats')` once, `step('seatmap_opened', {showtime_id})` for the funnel.
 */
import './event-queue.js'
import { session } from './api.js'

const EVENTS_PATH = '/api/v1/events'
const ASSIGNMENTS_PATH = '/api/v1/experiments/assignments'

const storage = {
  get(key) {
    try {
      return JSON.parse(localStorage.getItem(key) || 'null')
    } catch (err) {
      return null
    }
  },
  set(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value))
    } catch (err) {
      // storage full or off (private mode): the events stay in memory only
    }
  },
}

async function send(payload) {
  const headers = { 'Content-Type': 'application/json', 'X-Channel': 'web' }
  if (session.token) headers.Authorization = `Bearer ${session.token}`
  try {
    const response = await fetch(EVENTS_PATH, {
      method: 'POST',
      headers,
      body: JSON.stringify(payload),
      keepalive: true, // the request outlives a closing tab (up to 64 KiB, a batch is far less)
    })
    return response.status
  } catch (err) {
    return 0
  }
}

export const queue = globalThis.eventQueue.createEventQueue({ channel: 'web', storage, send })

/** Record the funnel step `name` with its fields (docs/analytics.md); never waits or throws. */
export function step(name, fields) {
  queue.track(name, fields)
}

/** An error the user saw, by its stable code. */
export function error(code) {
  queue.track('error', { code: String(code || 'unknown').toLowerCase().slice(0, 64) })
}

/** Time this page's views: from load or becoming visible to hidden or closed. */
export function trackPage(page) {
  if (document.visibilityState !== 'hidden') queue.pageShown(page)
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') queue.pageHidden(page)
    else queue.pageShown(page)
  })
  window.addEventListener('pagehide', () => queue.pageHidden(page))
}

/**
 * The caller's variant of an experiment (one call, which records the exposure), or `fallback`
 * when not in it or when the service cannot be asked: an experiment never blocks the page.
 */
export async function variant(key, fallback) {
  const headers = { Accept: 'application/json', 'X-Channel': 'web' }
  if (session.token) headers.Authorization = `Bearer ${session.token}`
  const query = new URLSearchParams({ device_id: queue.deviceId(), channel: 'web' })
  try {
    const response = await fetch(`${ASSIGNMENTS_PATH}?${query}`, { headers })
    if (!response.ok) return fallback
    const answer = await response.json()
    return (answer.assignments && answer.assignments[key]) || fallback
  } catch (err) {
    return fallback
  }
}
