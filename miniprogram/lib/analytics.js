/**
 * The mini-program's analytics: the shared event queue (lib/event-queue.js) sending through
 * wx.request, the device id in wx storage, and page views timed from onShow to onHide/onUnload.
 * Pages call one line each: `Page(analytics.tracked('pages/home', {...}))` for page views, and
 * `analytics.step('seatmap_opened', {showtime_id})` for the funnel. Nothing here ever blocks or
 * fails a page: a broken send is retried or dropped by the queue.
 */
const config = require('../config')
const { createEventQueue } = require('./event-queue')

const EVENTS_PATH = '/api/v1/events'
const ASSIGNMENTS_PATH = '/api/v1/experiments/assignments'

function wxStorage(wxApi) {
  return {
    get(key) {
      try {
        return wxApi.getStorageSync(key) || null
      } catch (err) {
        return null
      }
    },
    set(key, value) {
      try {
        wxApi.setStorageSync(key, value)
      } catch (err) {
        // storage full or unavailable: the events stay in memory only
      }
    },
  }
}

/**
 * A page definition whose onShow / onHide / onUnload also time its page view. `getQueue` is
 * called only when the page shows, so registering a page sends nothing.
 */
function trackedPage(getQueue, route, definition) {
  const page = Object.assign({}, definition)
  const wrap = (name, run) => {
    const own = definition[name]
    page[name] = function (...args) {
      run()
      return own ? own.apply(this, args) : undefined
    }
  }
  wrap('onShow', () => getQueue().pageShown(route))
  wrap('onHide', () => getQueue().pageHidden(route))
  wrap('onUnload', () => getQueue().pageHidden(route))
  return page
}

/** A queue that posts batches with `wxApi.request`; `token()` gives the signed-in token or ''. */
function createAnalytics(options) {
  const opts = options || {}
  const wxApi = opts.wx || wx
  const baseUrl = () => opts.baseUrl || config.serviceUrl
  const token = opts.token || (() => '')
  function send(payload) {
    return new Promise((resolve) => {
      const header = { 'Content-Type': 'application/json', 'X-Channel': 'miniprogram' }
      const bearer = token()
      if (bearer) header.Authorization = `Bearer ${bearer}`
      wxApi.request({
        url: baseUrl() + EVENTS_PATH,
        method: 'POST',
        data: payload,
        header,
        success: (res) => resolve(res.statusCode),
        fail: () => resolve(0),
      })
    })
  }
  const queue = createEventQueue(
    Object.assign({ channel: 'miniprogram', storage: wxStorage(wxApi), send }, opts.queue || {})
  )

  /**
   * The caller's variant of an experiment (GET /api/v1/experiments/assignments, which records the
   * exposure), or `fallback` when not in it or when the service cannot be asked: an experiment
   * never stands in the user's way.
   */
  function variant(key, fallback) {
    return new Promise((resolve) => {
      const header = { 'X-Channel': 'miniprogram' }
      const bearer = token()
      if (bearer) header.Authorization = `Bearer ${bearer}`
      const query = `?device_id=${encodeURIComponent(queue.deviceId())}&channel=miniprogram`
      try {
        wxApi.request({
          url: baseUrl() + ASSIGNMENTS_PATH + query,
          method: 'GET',
          header,
          success: (res) => {
            const found = res.statusCode === 200 && res.data && res.data.assignments
            resolve((found && found[key]) || fallback)
          },
          fail: () => resolve(fallback),
        })
      } catch (err) {
        resolve(fallback)
      }
    })
  }

  return {
    queue,
    variant,
    tracked: (route, definition) => trackedPage(() => queue, route, definition),
    step: (name, fields) => queue.track(name, fields),
    /** An error the user saw, by its stable code (never its text). */
    error: (code) =>
      queue.track('error', {
        code: String(code || 'unknown')
          .toLowerCase()
          .slice(0, 64),
      }),
    deviceId: () => queue.deviceId(),
  }
}

let shared = null

/** The app's analytics (created on first use), signed in with the app's session when there is one. */
function analytics() {
  if (!shared) {
    const services = require('./services')
    shared = createAnalytics({ token: () => services.token() || '' })
  }
  return shared
}

module.exports = {
  createAnalytics,
  analytics,
  tracked: (route, definition) => trackedPage(() => analytics().queue, route, definition),
  step: (name, fields) => analytics().step(name, fields),
  error: (code) => analytics().error(code),
  variant: (key, fallback) => analytics().variant(key, fallback),
}
