/**
 * One showtime's seat map as this page knows it: the server's states at a sequence number, the
 * seats of my hold, and the seats I have picked but not yet held. No DOM, no network: the page
 * and the socket call it, and tests drive it directly (the mini-program's lib/seat-state.js
 * keeps the same rules). The stranded-seat rule and seat names are the mini-program's own files
 * (seat-rules.js and seat-labels.js are symlinks to them), loaded for their globals.
 *
 * Sequence rules (docs/websocket.md): a snapshot sets every seat at `seq` within an `epoch`.
 * A delta `{from_seq: A, seq: B, changes}` covers A..B and carries each changed seat's final
 * state, so it applies whenever A <= seq + 1 < B + 1: A == seq + 1 is the usual case, and an
 * overlap (A <= seq < B) re-applies final states, which changes nothing already known.
 * B <= seq is old news; A > seq + 1 is a gap: frames were missed, resume with since=seq.
 */

import './seat-rules.js'
import './seat-labels.js'

const { seatGrid, strandedSeats } = globalThis.seatRules
const { seatName } = globalThis.seatLabels

export class SeatMapState {
  /** `layout`: the layout JSON of GET /api/v1/showtimes/{id}/seats; `prices`: zone -> fen. */
  constructor(layout, prices = {}, { maxSeats = 6 } = {}) {
    this.layout = layout
    this.prices = prices
    this.maxSeats = maxSeats
    this.seats = new Map()
    this.order = []
    for (const row of layout.rows) {
      for (const seat of row.seats) {
        this.seats.set(seat.id, { ...seat, row: row.label })
        this.order.push(seat.id)
      }
    }
    this.grid = seatGrid(layout)
    this.seq = null
    this.epoch = null
    this.states = new Map()
    this.myHold = null
    this.mine = new Set()
    this.picks = new Set()
  }

  /** Everything from a snapshot (HTTP or socket). Returns `{changed, lost}` (see applyDelta). */
  applySnapshot(snapshot) {
    const before = this._views()
    this.seq = snapshot.seq
    this.epoch = snapshot.epoch ?? null
    this.states = new Map(Object.entries(snapshot.states))
    if (snapshot.my_hold !== undefined) this.myHold = snapshot.my_hold
    this.mine = new Set(snapshot.mine || [])
    if (!this.mine.size) this.myHold = null
    const lost = this._dropUnavailablePicks()
    return { changed: this._changedSince(before), lost }
  }

  /**
   * A delta frame. `result`: 'applied', 'stale' (had it already), 'gap' (missed frames: resume)
   * or 'unsynced' (no snapshot yet). `changed`: seats whose look changed; `lost`: picked seats
   * someone else just took.
   */
  applyDelta(frame) {
    if (this.seq === null) return { result: 'unsynced', changed: [], lost: [] }
    if (frame.seq <= this.seq) return { result: 'stale', changed: [], lost: [] }
    if (frame.from_seq > this.seq + 1) return { result: 'gap', changed: [], lost: [] }
    const before = this._views()
    for (const change of frame.changes) {
      if (!this.seats.has(change.seat)) continue
      this.states.set(change.seat, change.state)
      // Hold ids go only to their owner's signed-in socket, and this page watches anonymously:
      // a seat of my hold that is still held (no hold id given) stays mine.
      const named =
        change.hold_id === undefined ? this.mine.has(change.seat) : change.hold_id === this.myHold?.id
      const ours = change.state === 'held' && this.myHold !== null && named
      if (ours) this.mine.add(change.seat)
      else this.mine.delete(change.seat)
    }
    if (!this.mine.size) this.myHold = null
    this.seq = frame.seq
    const lost = this._dropUnavailablePicks()
    return { result: 'applied', changed: this._changedSince(before), lost }
  }

  /** Where a reconnect resumes: `{since, epoch}`, or null before the first snapshot. */
  resumePoint() {
    return this.seq === null ? null : { since: this.seq, epoch: this.epoch }
  }

  /** I now hold `hold` (`{id, seats, expires_at}`): its seats are mine and nothing else is picked. */
  setHold(hold) {
    const before = this._views()
    this.myHold = hold
    this.mine = new Set(hold.seats)
    for (const id of hold.seats) this.states.set(id, 'held')
    this.picks = new Set()
    return this._changedSince(before)
  }

  /** My hold is gone (released or expired): its seats are free as far as I know. */
  clearHold() {
    const before = this._views()
    for (const id of this.mine) if (this.states.get(id) === 'held') this.states.set(id, 'free')
    this.mine = new Set()
    this.myHold = null
    return this._changedSince(before)
  }

  /** How a seat looks: 'picked', 'mine', 'free', 'held' (someone else's) or 'sold'. */
  view(id) {
    if (this.picks.has(id)) return 'picked'
    if (this.mine.has(id)) return 'mine'
    return this.states.get(id) || 'free'
  }

  /** The seat and, for a couple seat, its pair: they are picked and unpicked together. */
  group(id) {
    const seat = this.seats.get(id)
    if (!seat) return []
    return seat.pair && this.seats.has(seat.pair) ? [id, seat.pair] : [id]
  }

  /** Pick or unpick a seat with its pair: `{ok, seats}` or `{ok: false, code, details}`. */
  toggle(id) {
    const group = this.group(id)
    if (!group.length) return { ok: false, code: 'not_found', details: {} }
    if (this.picks.has(id)) {
      for (const seatId of group) this.picks.delete(seatId)
      return { ok: true, seats: group }
    }
    if (!group.every((seatId) => (this.states.get(seatId) || 'free') === 'free')) {
      return { ok: false, code: 'seat_unavailable', details: { seats: group } }
    }
    if (this.picks.size + group.length > this.maxSeats) {
      return { ok: false, code: 'too_many_seats', details: { max: this.maxSeats } }
    }
    for (const seatId of group) this.picks.add(seatId)
    return { ok: true, seats: group }
  }

  /** Picked seats in hall order. */
  picked() {
    return this.order.filter((id) => this.picks.has(id))
  }

  /** Seats of my hold in hall order. */
  held() {
    return this.order.filter((id) => this.mine.has(id))
  }

  /**
   * Free seats my picks would leave alone: the server's stranded-seat rule, against the seats
   * others hold or bought as this page knows them. The server checks again when I hold.
   */
  stranded() {
    const taken = this.order.filter((id) => (this.states.get(id) || 'free') !== 'free' && !this.mine.has(id))
    return strandedSeats(this.grid, taken, this.picked())
  }

  /** A seat as people read it: "E排7座" (or "Row E Seat 7" with `locale` 'en'). */
  name(id, locale) {
    const seat = this.seats.get(id)
    return seat ? seatName(seat.row, seat.number, locale) : id
  }

  priceOf(id) {
    const seat = this.seats.get(id)
    return seat ? this.prices[seat.zone] || 0 : 0
  }

  totalFen(ids) {
    return ids.reduce((sum, id) => sum + this.priceOf(id), 0)
  }

  needsAccess(ids) {
    return ids.some((id) => this.seats.get(id)?.type === 'wheelchair')
  }

  /** Every seat's state, the form snapshots carry (tests compare maps with it). */
  statesObject() {
    return Object.fromEntries(this.states)
  }

  /** Picks someone else took are dropped, with their couple pair; returns the seats taken. */
  _dropUnavailablePicks() {
    const lost = [...this.picks].filter((id) => (this.states.get(id) || 'free') !== 'free')
    for (const id of lost) for (const seatId of this.group(id)) this.picks.delete(seatId)
    return lost
  }

  _views() {
    return new Map(this.order.map((id) => [id, this.view(id)]))
  }

  _changedSince(before) {
    return this.order.filter((id) => before.get(id) !== this.view(id))
  }
}
