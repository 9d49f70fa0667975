/** Orders in the service's answer shape (seatcore/api/orders.py OrderOut, SNACKS_API.md's additions). */
const inMinutes = (m) => new Date(Date.now() + m * 60000).toISOString()

/** `price` as the service breaks it down (PriceOut); `snacks_fen` when the order has snacks. */
function price(extra) {
  const out = Object.assign(
    { list_fen: 9000, member_discount_fen: 0, coupon_fen: 0, points_fen: 0, points_used: 0, snacks_fen: 0 },
    extra || {}
  )
  out.paid_fen = out.list_fen - out.member_discount_fen - out.coupon_fen - out.points_fen + out.snacks_fen
  return out
}

function order(extra) {
  return Object.assign(
    {
      id: 'o1',
      status: 'pending_payment',
      reason: null,
      reason_text: null,
      showtime: {
        id: 7,
        movie_title: '流浪地球',
        cinema_name: '万达影城',
        hall_name: '1号厅',
        starts_at: '2030-01-01T19:30:00+08:00',
      },
      seats: [
        { seat: 'E-7', price_fen: 4500 },
        { seat: 'E-8', price_fen: 4500 },
      ],
      amount_fen: 9000,
      price: price(),
      expires_at: inMinutes(10),
      tickets: [],
      snacks: [],
      pickup: null,
      refundable_until: null,
    },
    extra || {}
  )
}

const TICKETS = [
  { seat: 'E-7', code: 'A1B2C3', price_fen: 4500, live: true, qr_url: '/api/v1/tickets/A1B2C3/qr.png' },
  { seat: 'E-8', code: 'D4E5F6', price_fen: 4500, live: true, qr_url: '/api/v1/tickets/D4E5F6/qr.png' },
]

/** A ticketed order, refundable until 30 minutes before its start. */
function ticketed(extra) {
  return order(
    Object.assign(
      {
        status: 'ticketed',
        tickets: TICKETS,
        expires_at: null,
        refundable_until: '2030-01-01T19:00:00+08:00',
      },
      extra
    )
  )
}

/**
 * An order of snacks alone (SNACK_ORDERS_API.md): `kind: "snacks"`, its `cinema`, no showtime,
 * seats, tickets or refund deadline; `list_fen` 0 and the snacks in `snacks_fen`.
 */
function snackOrder(extra) {
  const paid = price({ list_fen: 0, snacks_fen: 10500 })
  return order(
    Object.assign(
      {
        id: 'S11-0a1b2c3d4e5f60',
        kind: 'snacks',
        cinema: { id: 11, name: '万达影城' },
        showtime: null,
        seats: [],
        amount_fen: paid.paid_fen,
        price: paid,
        created_at: '2030-01-01T18:40:00+08:00',
        snacks: [
          { id: 7, name: '爆米花（大）', qty: 2, price_fen: 2800 },
          { id: 8, name: '双人观影套餐', qty: 1, price_fen: 4900 },
        ],
      },
      extra || {}
    )
  )
}

const WECHAT_PARAMS = {
  timeStamp: '1700000000',
  nonceStr: 'n',
  package: 'prepay_id=p1',
  signType: 'RSA',
  paySign: 's',
}

module.exports = { inMinutes, price, order, ticketed, snackOrder, TICKETS, WECHAT_PARAMS }
