/**
 * The live seat feed of one showtime: `WS /ws/showtimes/{id}` through wx.connectSocket, kept
 * in step with a SeatState.
 *
 * - Resume: every (re)connect sends `since` and `epoch` from the state's last snapshot/delta,
 *   so the server replays only what was missed (or sends a fresh snapshot when it cannot).
 * - Gaps: a delta that skips sequence numbers, or a server ping showing we stayed behind for a
 *   whole ping interval, means frames were lost: reconnect at once with `since`.
 * - Heartbeats: the client pings every `heartbeatMs`; no frame at all for `deadAfterMs`
 *   (the server pings every 15 s) means the connection is dead even if no close came.
 * - Reconnects back off exponentially with jitter. Close codes decide the rest: 4000 resync,
 *   4401 retry once with a fresh sign-in, 4403/4404 give up, 4429 wait longer.
 *
 * Status (onStatus): 'connecting', 'live', 'reconnecting', 'failed' (with an error code), 'closed'.
 */
const config = require('../config')
const { backoffDelayMs } = require('./backoff')

const CLOSE = {
  RESYNC: 4000,
  BAD_FRAME: 4400,
  BAD_TOKEN: 4401,
  ORIGIN_REFUSED: 4403,
  NO_SHOWTIME: 4404,
  TOO_MANY: 4429,
}
const FATAL = { [CLOSE.ORIGIN_REFUSED]: 'forbidden', [CLOSE.NO_SHOWTIME]: 'not_found' }
const TOO_MANY_WAIT_MS = 10000

class LiveSocket {
  /**
   * options: showtimeId, state (a SeatState), onUpdate({kind, changed, lost}), onStatus(status,
   * code), getToken(fresh) -> token or '' (fresh: the last one was refused), and for tests:
   * wx, url, heartbeatMs, deadAfterMs, backoff ({baseMs, maxMs}), random.
   */
  constructor(options) {
    this.showtimeId = options.showtimeId
    this.state = options.state
    this.onUpdate = options.onUpdate || (() => {})
    this.onStatus = options.onStatus || (() => {})
    this.getToken = options.getToken || (() => '')
    this.wxApi = options.wx
    this.baseUrl = options.url
    this.heartbeatMs = options.heartbeatMs || 15000
    this.deadAfterMs = options.deadAfterMs || 40000
    this.backoff = Object.assign({ random: options.random }, options.backoff || {})
    this.status = 'idle'
    this.running = false
    this.generation = 0
    this.attempt = 0
    this.freshToken = false
    this.task = null
    this.heartbeat = null
    this.reconnectTimer = null
    this.lastFrameAt = 0
    this.behindAt = null
  }

  start() {
    if (this.running) return
    this.running = true
    this.attempt = 0
    this._connect()
  }

  stop() {
    this.running = false
    this._drop('closed by the app')
    this._setStatus('closed')
  }

  async _connect() {
    const generation = ++this.generation
    this._setStatus(this.attempt ? 'reconnecting' : 'connecting')
    let token = ''
    try {
      token = (await this.getToken(this.freshToken)) || ''
    } catch (err) {
      token = ''
    }
    if (!this.running || generation !== this.generation) return
    const header = token ? { Authorization: `Bearer ${token}` } : {}
    const wxApi = this.wxApi || wx
    const task = wxApi.connectSocket({
      url: this._url(),
      header,
      fail: (err) => this._lost(generation, { code: 1006, reason: err && err.errMsg }),
    })
    this.task = task
    task.onOpen(() => {
      if (generation !== this.generation) return
      this.lastFrameAt = Date.now()
      this.behindAt = null
      this._setStatus('live')
      this._startHeartbeat(generation)
    })
    task.onMessage((message) => this._onFrame(generation, message.data))
    task.onClose((res) => this._lost(generation, res || {}))
    task.onError((err) => this._lost(generation, { code: 1006, reason: err && err.errMsg }))
  }

  _url() {
    const base = this.baseUrl || config.socketUrl()
    let url = `${base}/ws/showtimes/${this.showtimeId}`
    const point = this.state.resumePoint()
    if (point) {
      url += `?since=${point.since}`
      if (point.epoch) url += `&epoch=${encodeURIComponent(point.epoch)}`
    }
    return url
  }

  _onFrame(generation, raw) {
    if (generation !== this.generation) return
    this.lastFrameAt = Date.now()
    let frame
    try {
      frame = typeof raw === 'string' ? JSON.parse(raw) : raw
    } catch (err) {
      return
    }
    if (!frame || typeof frame !== 'object') return
    if (frame.type === 'snapshot') {
      const result = this.state.applySnapshot(frame)
      this._synced()
      this.onUpdate({ kind: 'snapshot', changed: result.changed, lost: result.lost })
    } else if (frame.type === 'delta') {
      const result = this.state.applyDelta(frame)
      if (result.result === 'gap' || result.result === 'unsynced') {
        this._resync(result.result)
        return
      }
      this._synced()
      if (result.result === 'applied') {
        this.onUpdate({ kind: 'delta', changed: result.changed, lost: result.lost })
      }
    } else if (frame.type === 'ping') {
      this._synced()
      this._checkBehind(frame.seq)
    }
  }

  /** A frame made sense on this connection: the next failure starts backing off from scratch. */
  _synced() {
    this.attempt = 0
    this.freshToken = false
  }

  /**
   * A ping names the server's seq. Deltas may still be on their way when it is sent, so only
   * staying behind that seq until the next ping counts as lost frames.
   */
  _checkBehind(serverSeq) {
    const seq = this.state.seq
    if (typeof serverSeq !== 'number' || seq === null) return
    if (this.behindAt !== null && seq < this.behindAt) {
      this._resync('behind')
      return
    }
    this.behindAt = serverSeq > seq ? serverSeq : null
  }

  _startHeartbeat(generation) {
    this._stopHeartbeat()
    this.heartbeat = setInterval(() => {
      if (generation !== this.generation) return
      if (Date.now() - this.lastFrameAt > this.deadAfterMs) {
        this._resync('dead')
        return
      }
      if (this.task) this.task.send({ data: JSON.stringify({ type: 'ping' }) })
    }, this.heartbeatMs)
  }

  _stopHeartbeat() {
    if (this.heartbeat) clearInterval(this.heartbeat)
    this.heartbeat = null
  }

  /** Drop this connection ourselves and come back with `since` (at once the first time). */
  _resync(reason) {
    this._drop(reason)
    const delay = this.attempt === 0 ? 0 : this._nextDelay()
    if (this.attempt === 0) this.attempt = 1
    this._schedule(delay)
  }

  /** The connection ended without us asking: decide from the close code what comes next. */
  _lost(generation, res) {
    if (generation !== this.generation) return
    this.generation += 1
    this._stopHeartbeat()
    this.task = null
    if (!this.running) return
    const code = res.code
    if (FATAL[code]) {
      this.running = false
      this._setStatus('failed', FATAL[code])
      return
    }
    if (code === CLOSE.BAD_TOKEN) {
      if (this.freshToken) {
        this.running = false
        this._setStatus('failed', 'unauthorized')
        return
      }
      this.freshToken = true
    }
    let delay = this._nextDelay()
    if (code === CLOSE.TOO_MANY) delay = Math.max(delay, TOO_MANY_WAIT_MS)
    this._setStatus('reconnecting')
    this._schedule(delay)
  }

  _nextDelay() {
    const delay = backoffDelayMs(this.attempt, this.backoff)
    this.attempt += 1
    return delay
  }

  _schedule(delayMs) {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer)
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null
      if (this.running) this._connect()
    }, delayMs)
  }

  /** Forget the current connection (its late events are ignored) and close it. */
  _drop(reason) {
    this.generation += 1
    this._stopHeartbeat()
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer)
    this.reconnectTimer = null
    const task = this.task
    this.task = null
    if (task) {
      try {
        task.close({ code: 1000, reason })
      } catch (err) {
        // Already closed: nothing to release.
      }
    }
  }

  _setStatus(status, code) {
    if (this.status === status && !code) return
    this.status = status
    this.onStatus(status, code)
  }
}

module.exports = { LiveSocket, CLOSE }
