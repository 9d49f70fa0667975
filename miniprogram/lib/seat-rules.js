/**
 * The no-stranded-seat rule, the one JS definition of it: a selection may not leave a single free
 * seat between itself and a taken seat, a gap, an aisle or the wall. Wheelchair spaces are never
 * "stranded" (they are sold one at a time). It mirrors seatcore/domain/seatrules.py's
 * stranded_seats (and the engine's Lua script) seat for seat, names the seats in the same order
 * (block by block, left to right) with the same message; tests/cases/stranded_seats.json holds the
 * cases both test suites check. The server stays the gate: this only answers before a round trip.
 *
 * One file for both clients, without a build step: the mini-program requires it (CommonJS), and
 * the web seat page serves it as web/js/seat-rules.js (a symlink to this file) and imports it for
 * its effect, which outside CommonJS is to set `globalThis.seatRules`. Plain ES5-level syntax,
 * no DOM and no `wx`.
 */
;(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory()
  else root.seatRules = factory()
})(typeof globalThis !== 'undefined' ? globalThis : this, function () {
  /**
   * The layout's blocks (runs of seats in consecutive columns of one row, rows front to back,
   * left to right) and each seat's block: `{blocks: [[seat]], blockOf: {id: index}, seats: {id: seat}}`.
   */
  function seatGrid(layout) {
    var blocks = []
    var blockOf = {}
    var seats = {}
    ;(layout.rows || []).forEach(function (row) {
      var run = []
      row.seats
        .slice()
        .sort(function (a, b) {
          return a.col - b.col
        })
        .forEach(function (seat) {
          if (run.length && seat.col !== run[run.length - 1].col + 1) {
            blocks.push(run)
            run = []
          }
          run.push(seat)
        })
      if (run.length) blocks.push(run)
    })
    blocks.forEach(function (block, index) {
      block.forEach(function (seat) {
        blockOf[seat.id] = index
        seats[seat.id] = seat
      })
    })
    return { blocks: blocks, blockOf: blockOf, seats: seats }
  }

  function has(set, id) {
    return typeof set.has === 'function' ? set.has(id) : set.indexOf(id) >= 0
  }

  /**
   * Free seats `selection` would leave alone between itself and a taken seat or a block's end.
   * `taken`: the seats sold or held by others now (a Set or an array); `selection`: seat ids.
   */
  function strandedSeats(grid, taken, selection) {
    var chosen = {}
    var touched = []
    selection.forEach(function (id) {
      chosen[id] = true
      var index = grid.blockOf[id]
      if (index !== undefined && touched.indexOf(index) < 0) touched.push(index)
    })
    var after = function (id) {
      return id !== null && (chosen[id] === true || has(taken, id))
    }
    var found = []
    touched
      .sort(function (a, b) {
        return a - b
      })
      .forEach(function (index) {
        var block = grid.blocks[index]
        block.forEach(function (seat, i) {
          if (after(seat.id) || seat.type === 'wheelchair') return
          var left = i > 0 ? block[i - 1].id : null
          var right = i < block.length - 1 ? block[i + 1].id : null
          var closed = (left === null || after(left)) && (right === null || after(right))
          if (closed && (chosen[left] === true || chosen[right] === true)) found.push(seat.id)
        })
      })
    return found
  }

  /** The refusal the server answers for these stranded seats (seatcore/engine/replies.py). */
  function strandedRefusal(seats) {
    return {
      code: 'stranded_seat',
      message: 'this would leave ' + seats.join(', ') + ' alone: choose seats that leave no single gap',
      details: { seats: seats.slice() },
    }
  }

  return { seatGrid: seatGrid, strandedSeats: strandedSeats, strandedRefusal: strandedRefusal }
})
