/** The snack cart (lib/snacks.js): steppers within the contract's bounds, lines, totals, display. */
const snacks = require('../../lib/snacks')

const { MENU } = require('../support/snacks')

test('a stepper stops at the stock left and at zero, and a sold-out snack cannot be added', () => {
  let cart = {}
  cart = snacks.changeQty(cart, MENU[0], 1)
  cart = snacks.changeQty(cart, MENU[0], 1)
  const full = cart
  expect(snacks.changeQty(cart, MENU[0], 1)).toBe(full)
  expect(cart).toEqual({ 7: 2 })
  cart = snacks.changeQty(cart, MENU[0], -1)
  cart = snacks.changeQty(cart, MENU[0], -1)
  expect(cart).toEqual({})
  expect(snacks.changeQty(cart, MENU[0], -1)).toBe(cart)
  expect(snacks.changeQty({}, MENU[2], 1)).toEqual({})
})

test('at most 10 of a snack without a stock limit, and at most 10 lines', () => {
  let cart = {}
  for (let i = 0; i < 12; i += 1) cart = snacks.changeQty(cart, MENU[1], 1)
  expect(cart[8]).toBe(snacks.MAX_QTY)
  const ten = {}
  for (let id = 100; id < 110; id += 1) ten[id] = 1
  const eleventh = { id: 200, price_fen: 100, stock_left: null }
  expect(snacks.changeQty(ten, eleventh, 1)).toBe(ten)
  // a line already in the cart may still grow
  expect(snacks.changeQty(ten, { id: 100, stock_left: null }, 1)[100]).toBe(2)
})

test("the cart as an order's lines, its total and count, in the menu's order", () => {
  const cart = { 8: 1, 7: 2 }
  expect(snacks.cartLines(MENU, cart)).toEqual([
    { id: 7, qty: 2 },
    { id: 8, qty: 1 },
  ])
  expect(snacks.cartTotalFen(MENU, cart)).toBe(2 * 2800 + 4900)
  expect(snacks.cartCount(cart)).toBe(3)
})

test('rows: combos list their contents, few left and sold out are said, prices in yuan', () => {
  const rows = snacks.snackRows(MENU, { 7: 2 })
  expect(rows[0]).toMatchObject({
    name: '爆米花（大）',
    detail: '焦糖味',
    price: '¥28',
    qty: 2,
    canAdd: false,
    few: true,
  })
  expect(rows[1]).toMatchObject({ combo: true, detail: '可乐×2 + 爆米花（大）×1', canAdd: true, few: false })
  expect(rows[0].picture).toBe('http://127.0.0.1:8000/media/snacks/7-320.jpg')
  expect(rows[1]).toMatchObject({ picture: '', initial: '双' })
  expect(rows[2]).toMatchObject({ soldOut: true, canAdd: false })
})

test("an order's snacks with each line's total", () => {
  const order = { snacks: [{ id: 7, name: '爆米花（大）', qty: 2, price_fen: 2800 }] }
  expect(snacks.orderSnackLines(order)).toEqual([{ id: 7, name: '爆米花（大）', qty: 2, price: '¥56' }])
  expect(snacks.orderSnackLines({})).toEqual([])
})
