/**
 * The demo's money beyond the ticket for the pictures: snacks (卖品) at the first cinema, a paid
 * order with snacks and its pickup code, a snacks-only order, 猜你喜欢 picks, a member with a
 * coupon, a refund quote and an exchange (改签) to a dearer showtime, in the service's shapes.
 */
const MENU = [
  {
    id: 1,
    kind: 'combo',
    name: '双人观影套餐',
    description: '',
    price_fen: 5900,
    picture_url: '/media/snacks/1-320.jpg',
    stock_left: null,
    contents: [
      { name: '爆米花（大）', qty: 1 },
      { name: '可口可乐（中杯）', qty: 2 },
    ],
  },
  {
    id: 2,
    kind: 'combo',
    name: '单人套餐',
    description: '',
    price_fen: 3900,
    picture_url: '/media/snacks/2-320.jpg',
    stock_left: 3,
    contents: [
      { name: '爆米花（中）', qty: 1 },
      { name: '可口可乐（中杯）', qty: 1 },
    ],
  },
  {
    id: 3,
    kind: 'item',
    name: '焦糖爆米花（大）',
    description: '现做现卖，香甜酥脆',
    price_fen: 2800,
    picture_url: '/media/snacks/3-320.jpg',
    stock_left: 40,
    contents: [],
  },
  {
    id: 4,
    kind: 'item',
    name: '可口可乐（中杯）',
    description: '冰镇 500 毫升',
    price_fen: 1200,
    picture_url: null,
    stock_left: null,
    contents: [],
  },
  {
    id: 5,
    kind: 'item',
    name: '哈根达斯冰淇淋',
    description: '香草味 100 毫升',
    price_fen: 3200,
    picture_url: null,
    stock_left: 0,
    contents: [],
  },
]

const SNACK_LINES = [
  { id: 1, name: '双人观影套餐', qty: 1, price_fen: 5900 },
  { id: 3, name: '焦糖爆米花（大）', qty: 1, price_fen: 2800 },
]
const PICKUP = {
  code: 'M3Q8K2',
  qr: 'SNK1.eyJrIjoicDEiLCJjIjoiTTNROEsyIiwibyI6Im8tMjAyNjEyMDQtMSJ9.bM2x0f9Qm3PZ8nR2vJk7WbT4sYHcA1uLq6eGd5oNiVt0',
  picked_up_at: null,
}

/** A snack's picture: a warm gradient with its name's first character (no file is fetched). */
function snackSvg(id) {
  const snack = MENU.find((s) => s.id === id)
  const hue = [18, 32, 8, 0, 200][id - 1] || 30
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="160">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="hsl(${hue},90%,62%)"/><stop offset="1" stop-color="hsl(${hue + 14},85%,45%)"/></linearGradient></defs>
    <rect width="160" height="160" fill="url(#g)"/>
    <circle cx="118" cy="36" r="46" fill="rgba(255,255,255,0.18)"/>
    <text x="80" y="100" font-size="64" font-weight="700" fill="#fff" text-anchor="middle"
      font-family="PingFang SC">${snack ? snack.name.charAt(0) : ''}</text></svg>`
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`
}

function snackImage(src) {
  const match = /\/media\/snacks\/(\d+)-320\.jpg$/.exec(src)
  return match ? snackSvg(Number(match[1])) : ''
}

/** What the menu asks for `lines` (`[{id, qty}]`). */
function snacksFen(lines) {
  return (lines || []).reduce((sum, l) => sum + MENU.find((s) => s.id === l.id).price_fen * l.qty, 0)
}

/** Route the extras on `wx`; `demo` holds the demo's movies, showtimes and orders. */
function routeExtras(wx, demo) {
  const { MOVIES, SHOWTIMES, TICKETED, SNACKS_ONLY, price } = demo
  wx.route('GET', '/api/v1/recommendations', () => ({
    items: [
      Object.assign({}, MOVIES[3], { basis: 'similar', reason: '因为你看过《星际归途》' }),
      Object.assign({}, MOVIES[5], { basis: 'similar', reason: '因为你想看《银河外卖》的同类' }),
      Object.assign({}, MOVIES[2], { basis: 'popular', reason: null }),
      Object.assign({}, MOVIES[4], { basis: 'popular', reason: null }),
    ],
  }))
  wx.route('GET', /^\/api\/v1\/cinemas\/\d+\/snacks$/, () => ({ items: MENU }))
  wx.route('GET', '/api/v1/me/membership', () => ({
    member: true,
    tier: { name: 'V2', free_exchanges_per_month: 1, free_refunds_per_month: 1 },
    points: 860,
    next_tier: { name: 'V3' },
    progress: { spend_12m_fen: 52000, needed_fen: 48000, percent: 52 },
  }))
  wx.route('GET', '/api/v1/me/coupons', () => ({
    items: [
      {
        id: 21,
        state: 'available',
        campaign: {
          id: 3,
          name: '周末观影立减券',
          kind: 'amount',
          value: 1000,
          cap_fen: 0,
          min_spend_fen: 5000,
        },
      },
    ],
  }))
  wx.route('POST', /^\/api\/v1\/holds\/[\w-]+\/quote$/, (req) => {
    const snacks = snacksFen(req.data.snacks)
    return {
      price: price(9000, 900, req.data.coupon_id ? 1000 : 0, req.data.points || 0, snacks),
      max_points: 800,
    }
  })
  // Snacks alone: points pay at most half of them.
  wx.route('POST', '/api/v1/snack-orders/quote', (req) => {
    const snacks = snacksFen(req.data.snacks)
    return { price: price(0, 0, 0, req.data.points || 0, snacks), max_points: Math.floor(snacks / 2) }
  })
  wx.route('GET', `/api/v1/orders/${TICKETED.id}/refund-quote`, () => ({
    order_id: TICKETED.id,
    refundable: true,
    refusal: null,
    paid_fen: TICKETED.amount_fen,
    fee_percent: 10,
    fee_fen: Math.floor(TICKETED.amount_fen / 10),
    refund_fen: TICKETED.amount_fen - Math.floor(TICKETED.amount_fen / 10),
    deadline: SHOWTIMES[0].starts_at.replace('T19:30', 'T17:30'), // the 10% tier ends 2 hours before
  }))
  // The exchange: from the 19:30 IMAX showing to the 22:10 one, two seats in the premium zone.
  // Snacks alone: no fee, everything back until they are picked up.
  wx.route('GET', `/api/v1/orders/${SNACKS_ONLY.id}/refund-quote`, () => ({
    order_id: SNACKS_ONLY.id,
    refundable: true,
    refusal: null,
    paid_fen: SNACKS_ONLY.amount_fen,
    fee_percent: 0,
    fee_fen: 0,
    refund_fen: SNACKS_ONLY.amount_fen,
    deadline: null,
  }))
  wx.route('GET', '/api/v1/holds/h2', () => ({
    id: 'h2',
    showtime_id: SHOWTIMES[2].id,
    seats: ['H-9', 'H-10'],
    amount_fen: 19000,
    expires_at: new Date(Date.now() + 14 * 60000 + 20000).toISOString(),
  }))
  const held = TICKETED.amount_fen - TICKETED.price.snacks_fen
  wx.route('GET', `/api/v1/orders/${TICKETED.id}/exchange-quote`, () => ({
    order_id: TICKETED.id,
    from_showtime_id: SHOWTIMES[0].id,
    to_showtime_id: SHOWTIMES[2].id,
    seats: ['H-9', 'H-10'],
    old_amount_fen: held,
    new_amount_fen: 19000,
    difference_fen: 19000 - held,
    fee_fen: 0,
    free_exchange: true, // V2: one free exchange a month
    waived_fee_fen: 1000,
    free_exchanges_left: 1,
    pay_fen: 19000 - held,
    refund_fen: 0,
    deadline: SHOWTIMES[0].starts_at.replace('T19:30', 'T19:00'),
  }))
  wx.route('POST', `/api/v1/orders/${TICKETED.id}/exchange`, () =>
    Object.assign({}, TICKETED, {
      exchange: {
        state: 'done',
        from_showtime_id: SHOWTIMES[0].id,
        to_showtime_id: SHOWTIMES[2].id,
        old_amount_fen: TICKETED.amount_fen,
        new_amount_fen: 19000,
        fee_fen: 0,
        pay_fen: 19000 - (TICKETED.amount_fen - TICKETED.price.snacks_fen),
        refund_fen: 0,
        pay_params: null,
      },
    })
  )
}

module.exports = { MENU, SNACK_LINES, PICKUP, routeExtras, snackImage }
