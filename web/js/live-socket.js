/**
 * The live feed of one showtime's seat map: `WS /ws/showtimes/{id}` kept in step with a
 * SeatMapState (protocol: docs/websocket.md).
 *
 * - Every (re)connect sends `since` and `epoch` from the state, so the server replays only what
 *   was missed, or sends a fresh snapshot when it cannot.
 * - A delta that skips sequence numbers, or a server ping naming a seq we are still behind at
 *   the next ping, means frames were lost: reconnect at once with `since`.
 * - The client pings every `pingMs` (the server drops clients silent for 45 s) and treats a
 *   connection that sent nothing for `deadMs` as dead (the server pings every 15 s).
 * - Reconnects back off exponentially with jitter; going back online or showing the page
 *   again reconnects at once. Close codes: 4400/4403/4404 give up, 4429 waits longer,
 *   everything else resumes.
 *
 * Status (onStatus): 'connecting', 'live', 'reconnecting', 'failed'.
 */

const CLOSE = { RESYNC: 4000, BAD_FRAME: 4400, ORIGIN: 4403, NO_SHOWTIME: 4404, TOO_MANY: 4429 }
const FATAL = new Set([CLOSE.ORIGIN, CLOSE.NO_SHOWTIME, CLOSE.BAD_FRAME])

export function backoffMs(attempt, { baseMs = 500, maxMs = 30000, random = Math.random } = {}) {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}

export class LiveSocket {
  constructor({ showtimeId, state, onUpdate, onStatus, pingMs = 15000, deadMs = 40000 }) {
    this.showtimeId = showtimeId
    this.state = state
    this.onUpdate = onUpdate || (() => {})
    this.onStatus = onStatus || (() => {})
    this.pingMs = pingMs
    this.deadMs = deadMs
    this.ws = null
    this.running = false
    this.attempt = 0
    this.timer = null
    this.heartbeat = null
    this.lastFrameAt = 0
    this.behindAt = null
    this.status = 'idle'
    this._wake = () => {
      if (this.running && this.status !== 'live') this._reconnectNow()
    }
  }

  start() {
    if (this.running) return
    this.running = true
    window.addEventListener('online', this._wake)
    document.addEventListener('visibilitychange', this._wake)
    this._connect()
  }

  stop() {
    this.running = false
    window.removeEventListener('online', this._wake)
    document.removeEventListener('visibilitychange', this._wake)
    this._drop()
  }

  /**
   * The socket's URL: the showtime and the resume point. No token: a browser could only send it in
   * the URL, which access logs keep; pages read the caller's own seats over HTTP instead.
   */
  url() {
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
    const params = new URLSearchParams()
    const point = this.state.resumePoint()
    if (point) {
      params.set('since', String(point.since))
      if (point.epoch) params.set('epoch', point.epoch)
    }
    const query = params.toString()
    return `${scheme}://${window.location.host}/ws/showtimes/${this.showtimeId}${query ? `?${query}` : ''}`
  }

  _connect() {
    this._setStatus(this.attempt ? 'reconnecting' : 'connecting')
    const ws = new WebSocket(this.url())
    this.ws = ws
    ws.onopen = () => {
      if (ws !== this.ws) return
      this.lastFrameAt = Date.now()
      this.behindAt = null
      this._setStatus('live')
      this._startHeartbeat(ws)
    }
    ws.onmessage = (event) => this._onFrame(ws, event.data)
    ws.onclose = (event) => this._onClose(ws, event.code)
  }

  _onFrame(ws, raw) {
    if (ws !== this.ws) return
    this.lastFrameAt = Date.now()
    let frame
    try {
      frame = JSON.parse(raw)
    } catch (err) {
      return
    }
    if (frame.type === 'snapshot') {
      this.attempt = 0
      const result = this.state.applySnapshot(frame)
      this.onUpdate({ kind: 'snapshot', ...result })
    } else if (frame.type === 'delta') {
      const result = this.state.applyDelta(frame)
      if (result.result === 'gap' || result.result === 'unsynced') {
        this._reconnectNow()
        return
      }
      this.attempt = 0
      if (result.result === 'applied') this.onUpdate({ kind: 'delta', ...result })
    } else if (frame.type === 'ping') {
      this.attempt = 0
      this._checkBehind(frame.seq)
    }
  }

  /** Deltas may still be in flight when a ping is sent: only staying behind until the next ping counts. */
  _checkBehind(serverSeq) {
    const seq = this.state.seq
    if (typeof serverSeq !== 'number' || seq === null) return
    if (this.behindAt !== null && seq < this.behindAt) {
      this._reconnectNow()
      return
    }
    this.behindAt = serverSeq > seq ? serverSeq : null
  }

  _startHeartbeat(ws) {
    clearInterval(this.heartbeat)
    this.heartbeat = setInterval(() => {
      if (ws !== this.ws) return
      if (Date.now() - this.lastFrameAt > this.deadMs) {
        this._reconnectNow()
        return
      }
      if (ws.readyState === WebSocket.OPEN) ws.send('{"type":"ping"}')
    }, this.pingMs)
  }

  _onClose(ws, code) {
    if (ws !== this.ws) return
    this.ws = null
    clearInterval(this.heartbeat)
    if (!this.running) return
    if (FATAL.has(code)) {
      this.running = false
      this._setStatus('failed', code)
      return
    }
    let delay = code === CLOSE.RESYNC && this.attempt === 0 ? 0 : backoffMs(this.attempt)
    if (code === CLOSE.TOO_MANY) delay = Math.max(delay, 10000)
    this.attempt += 1
    this._setStatus('reconnecting')
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.running && this._connect(), delay)
  }

  _reconnectNow() {
    this._drop()
    this.attempt = Math.max(this.attempt, 1)
    if (this.running) this._connect()
  }

  /** Forget the current connection (its late events are ignored) and close it. */
  _drop() {
    clearTimeout(this.timer)
    clearInterval(this.heartbeat)
    const ws = this.ws
    this.ws = null
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000)
  }

  _setStatus(status, code) {
    this.status = status
    this.onStatus(status, code)
  }
}
