/**
 * A premiere's waiting room in the mini-program (docs/waiting-room.md): WaitingLine (the place
 * from the frames, lib/waiting-line.js, shared with the web page), the wait in words, and
 * WaitingSocket, which keeps `WS /ws/showtimes/{id}/waiting-room` open: pings every `heartbeatMs`,
 * reconnects with backoff (the place is kept within the room's grace period), and stops for good
 * after `admitted` or `closed` (close 1000), a bad token twice, or no room (4404).
 */
const config = require('../config')
const { backoffDelayMs } = require('./backoff')
const i18n = require('./i18n')
const { WaitingLine, waitWords } = require('./waiting-line')

const FATAL = { 4403: 'forbidden', 4404: 'no_waiting_room', 4400: 'bad_frame' }

/** "约 3 分钟" and the like, from seconds (the user's language). */
function waitText(seconds) {
  return waitWords(seconds, i18n.labels('waiting'))
}

class WaitingSocket {
  /**
   * options: showtimeId, onFrame(frame), onStatus(status, code), getToken(fresh) -> token; for
   * tests: wx, url, heartbeatMs, backoff ({baseMs, maxMs}), random.
   * Status: 'connecting', 'live', 'reconnecting', 'failed' (with a code), 'done'.
   */
  constructor(options) {
    this.showtimeId = options.showtimeId
    this.onFrame = options.onFrame || (() => {})
    this.onStatus = options.onStatus || (() => {})
    this.getToken = options.getToken || (() => '')
    this.wxApi = options.wx
    this.baseUrl = options.url
    this.heartbeatMs = options.heartbeatMs || 15000
    this.backoff = Object.assign({ random: options.random }, options.backoff || {})
    this.running = false
    this.generation = 0
    this.attempt = 0
    this.freshToken = false
    this.finished = false
    this.task = null
    this.heartbeat = null
    this.timer = null
  }

  start() {
    if (this.running) return
    this.running = true
    this._connect()
  }

  stop() {
    this.running = false
    this._drop()
  }

  async _connect() {
    const generation = ++this.generation
    this.onStatus(this.attempt ? 'reconnecting' : 'connecting')
    let token = ''
    try {
      token = (await this.getToken(this.freshToken)) || ''
    } catch (err) {
      token = ''
    }
    if (!this.running || generation !== this.generation) return
    const base = this.baseUrl || config.socketUrl()
    const task = (this.wxApi || wx).connectSocket({
      url: `${base}/ws/showtimes/${this.showtimeId}/waiting-room`,
      header: token ? { Authorization: `Bearer ${token}` } : {},
      fail: (err) => this._lost(generation, { code: 1006, reason: err && err.errMsg }),
    })
    this.task = task
    task.onOpen(() => {
      if (generation !== this.generation) return
      this.onStatus('live')
      this.heartbeat = setInterval(() => {
        if (generation === this.generation && this.task) this.task.send({ data: '{"type":"ping"}' })
      }, this.heartbeatMs)
    })
    task.onMessage((message) => {
      if (generation !== this.generation) return
      let frame
      try {
        frame = typeof message.data === 'string' ? JSON.parse(message.data) : message.data
      } catch (err) {
        return
      }
      this.attempt = 0
      this.freshToken = false
      if (frame.type === 'admitted' || frame.type === 'closed') this.finished = true
      this.onFrame(frame)
    })
    task.onClose((res) => this._lost(generation, res || {}))
    task.onError((err) => this._lost(generation, { code: 1006, reason: err && err.errMsg }))
  }

  _drop() {
    this.generation += 1
    clearInterval(this.heartbeat)
    clearTimeout(this.timer)
    const task = this.task
    this.task = null
    if (task) {
      try {
        task.close({ code: 1000, reason: 'left the page' })
      } catch (err) {
        // already closed
      }
    }
  }

  _lost(generation, res) {
    if (generation !== this.generation || !this.running) return
    this._drop()
    const code = res.code
    if (this.finished) {
      this.running = false
      this.onStatus('done')
      return
    }
    if (FATAL[code]) {
      this.running = false
      this.onStatus('failed', FATAL[code])
      return
    }
    if (code === 4401) {
      if (this.freshToken) {
        this.running = false
        this.onStatus('failed', 'unauthorized')
        return
      }
      this.freshToken = true
    }
    const delay = backoffDelayMs(this.attempt, this.backoff)
    this.attempt += 1
    this.onStatus('reconnecting')
    this.timer = setTimeout(() => this.running && this._connect(), delay)
  }
}

module.exports = { WaitingLine, WaitingSocket, waitText }
