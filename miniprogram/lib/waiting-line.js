/**
 * A fan's place in a premiere's waiting room from the socket's frames (docs/waiting-room.md),
 * the one JS definition of it. The server sends every socket of the room the same `line` frame
 * (`served`: places taken off the front so far, and the line's speed); the fan's own `number`
 * comes once (and again at the opening, when the early places are drawn). The place and the wait
 * are worked out here: ahead = number - served.
 *
 * One file for both clients, without a build step: the mini-program requires it (CommonJS), and
 * the web seat page serves it as web/js/waiting-line.js (a symlink to this file) and imports it
 * for its effect, which outside CommonJS is to set `globalThis.waitingLine`. Plain ES5-level
 * syntax, no DOM and no `wx`.
 */
;(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory()
  else root.waitingLine = factory()
})(typeof globalThis !== 'undefined' ? globalThis : this, function () {
  function WaitingLine() {
    this.number = null
    this.served = 0
    this.perMinute = 0
    this.open = false
    this.startAhead = null
    this.admission = null
    this.closed = false
  }

  WaitingLine.prototype.apply = function (frame) {
    if (!frame || typeof frame !== 'object') return
    if (frame.type === 'place') {
      this.number = frame.number
      this.served = frame.served
      this.perMinute = frame.per_minute
      this.open = frame.open
      if (this.open && this.startAhead === null) this.startAhead = this.ahead()
    } else if (frame.type === 'line') {
      this.served = Math.max(this.served, frame.served)
      this.perMinute = frame.per_minute
      if (frame.open && !this.open) this.open = true
    } else if (frame.type === 'admitted') {
      this.admission = { token: frame.token, expiresAt: frame.expires_at }
    } else if (frame.type === 'closed') {
      this.closed = true
    }
  }

  /** Fans ahead (0: next), or null before the fan's number is known. */
  WaitingLine.prototype.ahead = function () {
    if (this.number === null || this.number < 0) return null
    return Math.max(0, this.number - this.served)
  }

  /**
   * About how many seconds until admission (the fan's own place included: the next fan still
   * waits for a slot), or null when the line does not move yet.
   */
  WaitingLine.prototype.waitS = function () {
    var ahead = this.ahead()
    if (ahead === null || !this.open || !(this.perMinute > 0)) return null
    return Math.ceil(((ahead + 1) * 60) / this.perMinute)
  }

  /** How far the fan has come since the opening, 0..1. */
  WaitingLine.prototype.progress = function () {
    if (this.admission) return 1
    var ahead = this.ahead()
    if (ahead === null || !this.open || !this.startAhead) return 0
    return Math.min(1, Math.max(0, 1 - ahead / this.startAhead))
  }

  /** The wait in words: `words` has estimating, under_minute, minutes ({m}), hours ({h}, {m}). */
  function waitWords(seconds, words) {
    if (seconds === null || seconds === undefined) return words.estimating
    if (seconds < 60) return words.under_minute
    var minutes = Math.ceil(seconds / 60)
    if (minutes < 60) return words.minutes.replace('{m}', minutes)
    return words.hours.replace('{h}', Math.floor(minutes / 60)).replace('{m}', minutes % 60)
  }

  return { WaitingLine: WaitingLine, waitWords: waitWords }
})
