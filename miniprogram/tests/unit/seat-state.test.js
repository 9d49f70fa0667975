/** SeatState: snapshots, the delta sequence rules (in order, duplicate, out of order, missing), picks. */
const { SeatState } = require('../../lib/seat-state')
const { gridLayout } = require('../support/halls')

// Row A: A-1..A-6 standard; row B: couple pairs B-1/B-2, B-3/B-4; A-6 a wheelchair space.
const LAYOUT = gridLayout(2, 6, { coupleRows: [1], wheelchair: [[0, 5]] })
const PRICES = { standard: 4000, couple: 5000 }

function fresh(extra) {
  const state = new SeatState(LAYOUT, PRICES)
  const states = {}
  Object.keys(state.seats).forEach((id) => (states[id] = 'free'))
  state.applySnapshot(Object.assign({ seq: 5, epoch: 'e1', states, mine: [] }, extra || {}))
  return state
}

const delta = (from, to, changes) => ({ type: 'delta', from_seq: from, seq: to, changes })

describe('sequence rules', () => {
  test('applies the next delta and moves seq', () => {
    const state = fresh()
    const out = state.applyDelta(delta(6, 6, [{ seat: 'A-1', state: 'held', hold_id: 'x' }]))
    expect(out.result).toBe('applied')
    expect(out.changed).toEqual(['A-1'])
    expect(state.seq).toBe(6)
    expect(state.view('A-1')).toBe('held')
  })

  test('a coalesced delta covering several seqs is applied when it starts at seq + 1', () => {
    const state = fresh()
    const out = state.applyDelta(
      delta(6, 9, [
        { seat: 'A-1', state: 'sold' },
        { seat: 'A-2', state: 'free' },
      ])
    )
    expect(out.result).toBe('applied')
    expect(state.seq).toBe(9)
    expect(out.changed).toEqual(['A-1'])
  })

  test('a duplicate or older delta is ignored and changes nothing', () => {
    const state = fresh()
    state.applyDelta(delta(6, 6, [{ seat: 'A-1', state: 'held', hold_id: 'x' }]))
    state.applyDelta(delta(7, 7, [{ seat: 'A-1', state: 'free' }]))
    expect(state.applyDelta(delta(6, 6, [{ seat: 'A-1', state: 'held', hold_id: 'x' }])).result).toBe('stale')
    expect(state.applyDelta(delta(3, 5, [{ seat: 'A-3', state: 'sold' }])).result).toBe('stale')
    expect(state.view('A-1')).toBe('free')
    expect(state.view('A-3')).toBe('free')
    expect(state.seq).toBe(7)
  })

  test('a missing delta is a gap: nothing applied, resume point stays at the last good seq', () => {
    const state = fresh()
    const out = state.applyDelta(delta(7, 7, [{ seat: 'A-1', state: 'sold' }]))
    expect(out.result).toBe('gap')
    expect(state.view('A-1')).toBe('free')
    expect(state.resumePoint()).toEqual({ since: 5, epoch: 'e1' })
  })

  test('out of order: a later delta first is a gap, the replay then applies both in order', () => {
    const state = fresh()
    const d6 = delta(6, 6, [{ seat: 'A-1', state: 'held', hold_id: 'x' }])
    const d7 = delta(7, 7, [{ seat: 'A-1', state: 'sold' }])
    expect(state.applyDelta(d7).result).toBe('gap')
    expect(state.applyDelta(d6).result).toBe('applied')
    expect(state.applyDelta(d7).result).toBe('applied')
    expect(state.view('A-1')).toBe('sold')
  })

  test('an overlapping coalesced delta (starts inside what we have) is applied: changes are final states', () => {
    const state = fresh()
    state.applyDelta(delta(6, 6, [{ seat: 'A-1', state: 'held', hold_id: 'x' }]))
    const out = state.applyDelta(
      delta(6, 8, [
        { seat: 'A-1', state: 'sold' },
        { seat: 'A-2', state: 'held', hold_id: 'y' },
      ])
    )
    expect(out.result).toBe('applied')
    expect(state.seq).toBe(8)
    expect(state.view('A-1')).toBe('sold')
    expect(state.view('A-2')).toBe('held')
  })

  test('a delta before any snapshot is unsynced', () => {
    const state = new SeatState(LAYOUT, PRICES)
    expect(state.resumePoint()).toBeNull()
    expect(state.applyDelta(delta(1, 1, [])).result).toBe('unsynced')
  })

  test('a snapshot of a new epoch replaces everything, including seq going backwards', () => {
    const state = fresh()
    state.applyDelta(delta(6, 6, [{ seat: 'A-1', state: 'sold' }]))
    const states = Object.assign({}, state.states, { 'A-1': 'free', 'A-2': 'sold' })
    const out = state.applySnapshot({ seq: 2, epoch: 'e2', states, mine: [] })
    expect(out.changed.sort()).toEqual(['A-1', 'A-2'])
    expect(state.resumePoint()).toEqual({ since: 2, epoch: 'e2' })
  })

  test('changes to seats the layout does not have are ignored', () => {
    const state = fresh()
    expect(state.applyDelta(delta(6, 6, [{ seat: 'Z-9', state: 'sold' }])).changed).toEqual([])
  })
})

describe('my seats', () => {
  test('the snapshot names my held seats; they show as picked, not as held', () => {
    const state = fresh({
      states: { 'A-2': 'held', 'A-3': 'held' },
      mine: ['A-2', 'A-3'],
      my_hold: { id: 'h1', seats: ['A-2', 'A-3'] },
    })
    state.setHold({ id: 'h1', seats: ['A-2', 'A-3'] })
    expect(state.view('A-2')).toBe('picked')
    expect(state.holdMatchesPicks()).toBe(true)
  })

  test('deltas of my own hold keep my seats mine; another hold taking them does not', () => {
    const state = fresh()
    state.setHold({ id: 'h1', seats: ['A-2'] })
    state.applyDelta(
      delta(6, 6, [
        { seat: 'A-2', state: 'held', hold_id: 'h1' },
        { seat: 'A-3', state: 'held', hold_id: 'h1' },
      ])
    )
    expect(Array.from(state.mine).sort()).toEqual(['A-2', 'A-3'])
    // The hold expired (sweeper) and someone else took A-2.
    const out = state.applyDelta(
      delta(7, 8, [
        { seat: 'A-2', state: 'held', hold_id: 'other' },
        { seat: 'A-3', state: 'free' },
      ])
    )
    expect(state.mine.size).toBe(0)
    expect(state.myHoldId).toBeNull()
    expect(out.lost).toEqual(['A-2'])
    expect(state.view('A-2')).toBe('held')
  })

  test('clearHold frees my seats for me', () => {
    const state = fresh()
    state.setHold({ id: 'h1', seats: ['A-2'] })
    state.clearHold()
    expect(state.available('A-2')).toBe(true)
    expect(state.holdMatchesPicks()).toBe(false)
  })
})

describe('picking', () => {
  test('pick and unpick a seat; prices and total', () => {
    const state = fresh()
    expect(state.pick('A-1')).toEqual({ ok: true, seats: ['A-1'] })
    state.pick('B-1')
    expect(state.selection().map((s) => [s.id, s.price_fen])).toEqual([
      ['A-1', 4000],
      ['B-1', 5000],
      ['B-2', 5000],
    ])
    expect(state.totalFen()).toBe(14000)
    state.unpick('A-1')
    expect(state.totalFen()).toBe(10000)
  })

  test('couple seats go as a pair both ways, and a half-taken pair cannot be picked', () => {
    const state = fresh({ states: { 'B-4': 'sold' } })
    expect(state.toggle('B-2').seats).toEqual(['B-2', 'B-1'])
    expect(state.view('B-1')).toBe('picked')
    state.toggle('B-1')
    expect(state.picks.size).toBe(0)
    expect(state.pick('B-3')).toEqual({ ok: false, code: 'couple_pair' })
  })

  test('taken seats and a seventh seat are refused with codes', () => {
    const state = fresh({ states: { 'A-1': 'sold' } })
    expect(state.pick('A-1')).toEqual({ ok: false, code: 'seat_not_free' })
    expect(state.pick('nope')).toEqual({ ok: false, code: 'not_found' })
    ;['A-2', 'A-3', 'A-4', 'A-5', 'B-1'].forEach((id) => state.pick(id))
    expect(state.picks.size).toBe(6)
    expect(state.pick('A-6')).toEqual({ ok: false, code: 'too_many_seats', details: { max_seats: 6 } })
  })

  test('a wheelchair space among the picks needs the accessible flag', () => {
    const state = fresh()
    state.pick('A-1')
    expect(state.picksNeedAccess()).toBe(false)
    state.pick('A-6')
    expect(state.picksNeedAccess()).toBe(true)
  })

  test('a picked seat someone else holds meanwhile is dropped (with its couple pair) and reported', () => {
    const state = fresh()
    state.pick('A-1')
    state.pick('B-1')
    const out = state.applyDelta(delta(6, 6, [{ seat: 'B-2', state: 'held', hold_id: 'z' }]))
    expect(out.lost).toEqual(['B-2'])
    expect(out.changed.sort()).toEqual(['B-1', 'B-2'])
    expect(Array.from(state.picks)).toEqual(['A-1'])
  })
})

describe('while a hold request is on its way', () => {
  test('its own delta arriving before the answer does not count as someone taking the picks', () => {
    const state = fresh()
    state.pick('A-2')
    state.pick('A-3')
    state.beginHold()
    const early = state.applyDelta(
      delta(6, 6, [
        { seat: 'A-2', state: 'held', hold_id: 'h1' },
        { seat: 'A-3', state: 'held', hold_id: 'h1' },
      ])
    )
    expect(early.lost).toEqual([])
    state.setHold({ id: 'h1', seats: ['A-2', 'A-3'] })
    expect(state.endHold()).toEqual([])
    expect(state.view('A-2')).toBe('picked')
    expect(state.holdMatchesPicks()).toBe(true)
  })

  test('when the hold is refused, picks others held meanwhile are reported at the end; sold ones at once', () => {
    const state = fresh()
    state.pick('A-2')
    state.pick('A-4')
    state.beginHold()
    const sold = state.applyDelta(delta(6, 6, [{ seat: 'A-4', state: 'sold' }]))
    expect(sold.lost).toEqual(['A-4'])
    state.applyDelta(delta(7, 7, [{ seat: 'A-2', state: 'held', hold_id: 'other' }]))
    expect(state.endHold()).toEqual(['A-2'])
    expect(state.picks.size).toBe(0)
  })
})

describe('hold ids only reach their owner', () => {
  test('a held seat of my hold without a hold id (a socket opened before sign-in) stays mine', () => {
    const state = fresh()
    state.setHold({ id: 'h1', seats: ['A-1', 'A-2'] })
    state.applyDelta(delta(6, 6, [{ seat: 'A-1', state: 'held' }]))
    expect(state.mine.has('A-1')).toBe(true)
    state.applyDelta(delta(7, 7, [{ seat: 'A-3', state: 'held' }]))
    expect(state.mine.has('A-3')).toBe(false)
  })

  test("another hold's id on my seat takes it from me", () => {
    const state = fresh()
    state.setHold({ id: 'h1', seats: ['A-1'] })
    state.applyDelta(delta(6, 6, [{ seat: 'A-1', state: 'held', hold_id: 'other' }]))
    expect(state.mine.has('A-1')).toBe(false)
  })
})
