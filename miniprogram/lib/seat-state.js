/**
 * One showtime's seat map as the client knows it: the server's states at a sequence number,
 * the caller's held seats, and the seats the user has picked but not yet held.
 *
 * Sequence rules (the seat engine contract): a snapshot sets everything at `seq` in an `epoch`;
 * a delta `{from_seq: A, seq: B, changes}` covers A..B and is applied when A == seq + 1.
 * A > seq + 1 is a gap (missed deltas: resume with since=seq); B <= seq is old news (ignored).
 * A <= seq < B (an overlap, e.g. a coalesced frame after a replay) is applied too: changes carry
 * each seat's final state, not a difference, so re-applying the covered part changes nothing.
 */
const config = require('../config')
const { seatGrid, strandedSeats } = require('./seat-rules')

class SeatState {
  /** `layout` is the layout JSON of GET /showtimes/{id}/seats; `prices` maps zone -> fen. */
  constructor(layout, prices, options) {
    const opts = options || {}
    this.maxSeats = opts.maxSeats || config.maxSeatsPerHold
    this.prices = prices || {}
    this.seats = {}
    this.order = []
    ;(layout.rows || []).forEach((row) => {
      row.seats.forEach((seat) => {
        this.seats[seat.id] = Object.assign({ row: row.label }, seat)
        this.order.push(seat.id)
      })
    })
    this.grid = seatGrid(layout)
    this.seq = null
    this.epoch = null
    this.states = {}
    this.mine = new Set()
    this.myHoldId = null
    this.picks = new Set()
    this.holding = false
  }

  /**
   * Replace everything with a snapshot (HTTP or WebSocket: `{seq, epoch, states, mine, my_hold}`).
   * Returns `{changed, lost}`: seats whose view changed, picks lost to other people.
   */
  applySnapshot(snapshot) {
    const before = this._views()
    this.seq = snapshot.seq
    this.epoch = snapshot.epoch === undefined ? null : snapshot.epoch
    this.states = Object.assign({}, snapshot.states)
    if (snapshot.my_hold !== undefined) this.myHoldId = snapshot.my_hold ? snapshot.my_hold.id : null
    this.mine = new Set(snapshot.mine || [])
    if (!this.mine.size) this.myHoldId = null
    const lost = this._dropUnavailablePicks()
    return { changed: this._changedSince(before), lost }
  }

  /**
   * Apply a delta frame. `result` is 'applied', 'stale' (already had it), 'gap' (missed some:
   * resync) or 'unsynced' (no snapshot yet); `changed` and `lost` as for applySnapshot.
   */
  applyDelta(frame) {
    if (this.seq === null) return { result: 'unsynced', changed: [], lost: [] }
    if (frame.seq <= this.seq) return { result: 'stale', changed: [], lost: [] }
    if (frame.from_seq > this.seq + 1) return { result: 'gap', changed: [], lost: [] }
    const before = this._views()
    ;(frame.changes || []).forEach((change) => this._applyChange(change))
    if (!this.mine.size) this.myHoldId = null
    this.seq = frame.seq
    const lost = this._dropUnavailablePicks()
    return { result: 'applied', changed: this._changedSince(before), lost }
  }

  /** Where a reconnect resumes: `{since, epoch}`, or null before the first snapshot. */
  resumePoint() {
    return this.seq === null ? null : { since: this.seq, epoch: this.epoch }
  }

  /**
   * A hold request is on its way. Its own delta may arrive before its answer, naming a hold id
   * we do not know yet: until endHold, picked seats turning held are not taken as lost.
   */
  beginHold() {
    this.holding = true
  }

  /** The hold request is answered (setHold done when it succeeded); returns the picks lost meanwhile. */
  endHold() {
    this.holding = false
    return this._dropUnavailablePicks()
  }

  /** The caller now holds `hold` (`{id, seats}`): its seats are theirs and picked. */
  setHold(hold) {
    this.myHoldId = hold.id
    this.mine = new Set(hold.seats)
    hold.seats.forEach((id) => {
      this.states[id] = 'held'
    })
    this.picks = new Set(hold.seats)
  }

  /** The caller's hold is gone (released or expired): its seats are free to them again. */
  clearHold() {
    this.mine.forEach((id) => {
      if (this.states[id] === 'held') this.states[id] = 'free'
    })
    this.mine = new Set()
    this.myHoldId = null
  }

  /** True when the caller's hold covers exactly the picked seats. */
  holdMatchesPicks() {
    if (!this.myHoldId || this.mine.size !== this.picks.size) return false
    return Array.from(this.picks).every((id) => this.mine.has(id))
  }

  /** How the user sees a seat: 'picked', 'free', 'held' (someone else's) or 'sold'. */
  view(id) {
    if (this.picks.has(id)) return 'picked'
    const state = this.states[id] || 'free'
    if (state === 'held' && this.mine.has(id)) return 'free'
    return state
  }

  /** Free for the caller: free, or held by the caller's own hold. */
  available(id) {
    const state = this.states[id] || 'free'
    return state === 'free' || (state === 'held' && this.mine.has(id))
  }

  /** The seat and, for a couple seat, its pair: they are picked and unpicked together. */
  group(id) {
    const seat = this.seats[id]
    if (!seat) return []
    return seat.pair && this.seats[seat.pair] ? [id, seat.pair] : [id]
  }

  /** Pick a seat (and its pair). `{ok, seats}` or `{ok: false, code}` with an i18n error code. */
  pick(id) {
    const group = this.group(id)
    if (!group.length) return { ok: false, code: 'not_found' }
    if (!group.every((seatId) => this.available(seatId))) {
      return { ok: false, code: this.seats[id].pair ? 'couple_pair' : 'seat_not_free' }
    }
    const adding = group.filter((seatId) => !this.picks.has(seatId))
    if (this.picks.size + adding.length > this.maxSeats) {
      return { ok: false, code: 'too_many_seats', details: { max_seats: this.maxSeats } }
    }
    adding.forEach((seatId) => this.picks.add(seatId))
    return { ok: true, seats: group }
  }

  /** Unpick a seat (and its pair). */
  unpick(id) {
    const group = this.group(id)
    group.forEach((seatId) => this.picks.delete(seatId))
    return { ok: true, seats: group }
  }

  toggle(id) {
    return this.picks.has(id) ? this.unpick(id) : this.pick(id)
  }

  /** The picked seats in hall order with labels and prices: `[{id, row, number, zone, type, price_fen}]`. */
  selection() {
    return this.order
      .filter((id) => this.picks.has(id))
      .map((id) => {
        const seat = this.seats[id]
        return {
          id,
          row: seat.row,
          number: seat.number,
          zone: seat.zone,
          type: seat.type,
          price_fen: this.prices[seat.zone] || 0,
        }
      })
  }

  /**
   * Free seats the picks would leave alone: the server's stranded-seat rule (lib/seat-rules.js),
   * against the seats taken by others as this phone knows them. The server checks again on hold.
   */
  stranded() {
    const taken = this.order.filter((id) => !this.available(id))
    return strandedSeats(
      this.grid,
      taken,
      this.selection().map((seat) => seat.id)
    )
  }

  totalFen() {
    return this.selection().reduce((sum, seat) => sum + seat.price_fen, 0)
  }

  /** Wheelchair spaces among the picks: holding them needs `accessible: true`. */
  picksNeedAccess() {
    return Array.from(this.picks).some((id) => this.seats[id] && this.seats[id].type === 'wheelchair')
  }

  _applyChange(change) {
    if (!this.seats[change.seat]) return
    this.states[change.seat] = change.state
    // Hold ids go only to their owner's signed-in socket: on a socket opened before sign-in, a seat
    // of my hold that is still held (no hold id given) stays mine.
    const named = change.hold_id === undefined ? this.mine.has(change.seat) : change.hold_id === this.myHoldId
    const ours = change.state === 'held' && this.myHoldId !== null && named
    if (ours) this.mine.add(change.seat)
    else this.mine.delete(change.seat)
  }

  /** Unpick seats others took (with the other half of a couple pair); returns the seats taken. */
  _dropUnavailablePicks() {
    const lost = []
    this.picks.forEach((id) => {
      const maybeOurs = this.holding && this.states[id] === 'held'
      if (!this.available(id) && !maybeOurs) lost.push(id)
    })
    lost.forEach((id) => this.group(id).forEach((seatId) => this.picks.delete(seatId)))
    return lost
  }

  _views() {
    const views = {}
    this.order.forEach((id) => {
      views[id] = this.view(id)
    })
    return views
  }

  _changedSince(before) {
    return this.order.filter((id) => before[id] !== this.view(id))
  }
}

module.exports = { SeatState }
