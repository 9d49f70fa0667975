/**
 * Snacks (卖品) as the pages show and pick them: the cinema's items and combos with a quantity
 * each (the cart: `{snackId: qty}`), the lines an order or quote takes, and an order's snacks.
 * The service prices them and keeps their stock (SNACKS_API contract); these rules only keep the
 * steppers within what it accepts: at most 10 lines, 1..10 each, never more than `stock_left`.
 */
const config = require('../config')
const { yuan } = require('./format')

const MAX_LINES = 10
const MAX_QTY = 10

/** The most of `snack` one order may take. */
function maxQty(snack) {
  const left = snack.stock_left
  return left === null || left === undefined ? MAX_QTY : Math.max(0, Math.min(MAX_QTY, left))
}

/** `cart` with `snack`'s quantity moved by `delta` (a new cart; unchanged when out of bounds). */
function changeQty(cart, snack, delta) {
  const now = cart[snack.id] || 0
  const next = Math.max(0, Math.min(maxQty(snack), now + delta))
  const lines = Object.keys(cart).filter((id) => cart[id] > 0).length
  if (next === now || (now === 0 && lines >= MAX_LINES)) return cart
  const out = Object.assign({}, cart)
  if (next) out[snack.id] = next
  else delete out[snack.id]
  return out
}

/** The cart as an order's `snacks`: `[{id, qty}]`, in the menu's order. */
function cartLines(snacks, cart) {
  return snacks.filter((s) => cart[s.id] > 0).map((s) => ({ id: s.id, qty: cart[s.id] }))
}

function cartTotalFen(snacks, cart) {
  return snacks.reduce((sum, s) => sum + (cart[s.id] || 0) * s.price_fen, 0)
}

function cartCount(cart) {
  return Object.keys(cart).reduce((sum, id) => sum + cart[id], 0)
}

/** A combo's contents in a few characters: "可乐×2 + 爆米花（大）×1". */
function contentsText(contents) {
  return (contents || []).map((c) => `${c.name}×${c.qty}`).join(' + ')
}

/** The menu as the picker draws it, with the cart's quantities. */
function snackRows(snacks, cart) {
  return snacks.map((s) => {
    const qty = cart[s.id] || 0
    const max = maxQty(s)
    return {
      id: s.id,
      name: s.name,
      combo: s.kind === 'combo',
      detail: s.kind === 'combo' ? contentsText(s.contents) : s.description || '',
      price: yuan(s.price_fen),
      picture: config.mediaUrl(s.picture_url),
      initial: (s.name || '').charAt(0),
      qty,
      soldOut: max === 0,
      canAdd: qty < max,
      few: s.stock_left !== null && s.stock_left !== undefined && s.stock_left > 0 && s.stock_left <= 5,
      left: s.stock_left,
    }
  })
}

/** An order's snacks for its page: `[{id, name, qty, price}]` with each line's total. */
function orderSnackLines(order) {
  return ((order && order.snacks) || []).map((line) => ({
    id: line.id,
    name: line.name,
    qty: line.qty,
    price: yuan(line.price_fen * line.qty),
  }))
}

module.exports = {
  MAX_LINES,
  MAX_QTY,
  maxQty,
  changeQty,
  cartLines,
  cartTotalFen,
  cartCount,
  contentsText,
  snackRows,
  orderSnackLines,
}
