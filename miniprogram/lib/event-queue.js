/**
 * The analytics event queue, one definition for both clients (docs/analytics.md, "Clients"):
 * events are batched (up to `maxBatch` or `flushEveryMs`), sent by a transport the client hands
 * in, retried with backoff on a network failure, a 429 or a 5xx, and dropped when the service
 * refuses them (another 4xx would be refused again) or when they grow older than the service
 * takes (3 days). The queue never blocks the user: `track` only appends, the queue holds at most
 * `maxQueued` events (the oldest go first), and nothing here throws into a page.
 *
 * Loaded like seat-rules.js: the mini-program requires it (lib/analytics.js wires `wx`), the web
 * pages serve it as web/js/event-queue.js (a symlink) for its global `eventQueue`
 * (web/js/analytics.js wires fetch). Plain ES5-level syntax, no DOM and no `wx`.
 */
;(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory()
  else root.eventQueue = factory()
})(typeof globalThis !== 'undefined' ? globalThis : this, function () {
  var DEVICE_KEY = 'sc.analytics.device'
  var QUEUE_KEY = 'sc.analytics.queue'
  var DAY_MS = 24 * 3600 * 1000
  var DEFAULTS = {
    maxBatch: 100,
    flushEveryMs: 5000,
    maxQueued: 1000,
    maxAgeMs: 3 * DAY_MS - 3600 * 1000, // the service takes 3 days; an hour's margin for clocks
    backoffBaseMs: 1000,
    backoffMaxMs: 60000,
  }
  var ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

  function randomId(random, length) {
    var out = ''
    for (var i = 0; i < length; i += 1) out += ID_CHARS[Math.floor(random() * ID_CHARS.length)]
    return out
  }

  /** Whether an answer's status means "send the same batch again later". */
  function retryable(status) {
    return status === 0 || status === 429 || status >= 500
  }

  /**
   * options: send(payload) -> Promise of the HTTP status (0 for no answer); storage {get, set};
   * channel; now() ms; random(); setTimer(fn, ms) / clearTimer(id); and the DEFAULTS' numbers.
   */
  function createEventQueue(options) {
    var opts = {}
    var name
    for (name in DEFAULTS) opts[name] = DEFAULTS[name]
    for (name in options) opts[name] = options[name]
    var now = opts.now || Date.now
    var random = opts.random || Math.random
    var setTimer = opts.setTimer || setTimeout
    var clearTimer = opts.clearTimer || clearTimeout
    var storage = opts.storage

    var deviceId = storage.get(DEVICE_KEY)
    if (typeof deviceId !== 'string' || !/^[A-Za-z0-9_-]{8,64}$/.test(deviceId)) {
      deviceId = randomId(random, 22)
      storage.set(DEVICE_KEY, deviceId)
    }
    var visitId = randomId(random, 16)
    var queue = []
    var kept = storage.get(QUEUE_KEY)
    if (kept && Array.isArray(kept)) queue = kept.slice(-opts.maxQueued)
    var timer = null
    var sending = false
    var attempt = 0
    var stats = { sent: 0, dropped: 0, batches: 0 }
    var shown = {}

    function keep() {
      storage.set(QUEUE_KEY, queue)
    }

    function schedule(delayMs) {
      if (timer !== null) clearTimer(timer)
      timer = setTimer(function () {
        timer = null
        flush()
      }, delayMs)
    }

    function backoffMs() {
      var ceiling = Math.min(opts.backoffMaxMs, opts.backoffBaseMs * Math.pow(2, attempt - 1))
      return Math.round(ceiling / 2 + random() * (ceiling / 2))
    }

    function dropStale() {
      var oldest = now() - opts.maxAgeMs
      var fresh = queue.filter(function (event) {
        return Date.parse(event.at) >= oldest
      })
      stats.dropped += queue.length - fresh.length
      queue = fresh
    }

    /** Send what is queued, a batch at a time; resolves when done or waiting for a retry. */
    function flush() {
      if (sending) return Promise.resolve()
      dropStale()
      if (!queue.length) return Promise.resolve()
      if (timer !== null) {
        clearTimer(timer)
        timer = null
      }
      sending = true
      var batch = queue.slice(0, opts.maxBatch)
      var payload = { device_id: deviceId, visit_id: visitId, channel: opts.channel, events: batch }
      stats.batches += 1
      return Promise.resolve()
        .then(function () {
          return opts.send(payload)
        })
        .then(null, function () {
          return 0
        })
        .then(function (status) {
          sending = false
          if (retryable(status)) {
            attempt += 1
            keep()
            schedule(backoffMs())
            return undefined
          }
          attempt = 0
          queue = queue.slice(batch.length)
          if (status >= 200 && status < 300) stats.sent += batch.length
          else stats.dropped += batch.length // refused: the same batch would be refused again
          keep()
          return queue.length ? flush() : undefined
        })
    }

    /** Queue one event (`type` and its fields, docs/analytics.md); never waits, never throws. */
    function track(type, fields) {
      var event = { type: type, at: new Date(now()).toISOString() }
      for (var key in fields || {}) {
        if (fields[key] !== undefined && fields[key] !== null) event[key] = fields[key]
      }
      queue.push(event)
      if (queue.length > opts.maxQueued) {
        stats.dropped += queue.length - opts.maxQueued
        queue = queue.slice(queue.length - opts.maxQueued)
      }
      if (sending || attempt > 0) return // a send or a retry is on its way and will take it
      if (queue.length >= opts.maxBatch) flush()
      else if (timer === null) schedule(opts.flushEveryMs)
    }

    /** A page came into view: its dwell time starts. */
    function pageShown(page) {
      shown[page] = now()
    }

    /** A page left view: its page_view with the dwell time, then everything queued is sent. */
    function pageHidden(page) {
      if (shown[page] !== undefined) {
        track('page_view', { page: page, dwell_ms: Math.max(0, now() - shown[page]) })
        delete shown[page]
      }
      keep()
      if (attempt === 0) return flush()
      return Promise.resolve()
    }

    return {
      track: track,
      flush: flush,
      pageShown: pageShown,
      pageHidden: pageHidden,
      deviceId: function () {
        return deviceId
      },
      visitId: function () {
        return visitId
      },
      pending: function () {
        return queue.length
      },
      stats: stats,
    }
  }

  return { createEventQueue: createEventQueue, DEVICE_KEY: DEVICE_KEY, QUEUE_KEY: QUEUE_KEY }
})
