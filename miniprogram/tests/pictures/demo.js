/**
 * The demo's catalogue (seatcore/demo: its films, cinemas and halls) in the service's answer
 * shapes, routed on a fake wx, so the pictures show what a new user sees against `make demo`.
 * Dates are today's, so the date tabs and countdowns read as they would.
 */
const { bigHall, BIG_HALL_PRICES, seatsAnswer } = require('../support/halls')
const { SNACK_LINES, PICKUP, routeExtras } = require('./demo-extras')

const DICTIONARY = {
  genres: {
    'sci-fi': '科幻',
    adventure: '冒险',
    action: '动作',
    history: '历史',
    animation: '动画',
    family: '家庭',
    comedy: '喜剧',
    thriller: '惊悚',
    drama: '剧情',
    romance: '爱情',
    mystery: '悬疑',
    crime: '犯罪',
  },
  languages: { Mandarin: '国语', Cantonese: '粤语', English: '英语' },
  formats: { '2D': '2D', '3D': '3D', IMAX: 'IMAX', Laser: '激光' },
  zones: { standard: '普通座', premium: '优选座', couple: '情侣座' },
}

function film(id, title, original, genres, minutes, score, language, director, cast, synopsis, extra) {
  return Object.assign(
    {
      id,
      title,
      original_title: original,
      genres,
      genre_names: genres.map((g) => DICTIONARY.genres[g]),
      duration_min: minutes,
      score,
      poster_url: `/media/posters/${id}.png`,
      status: 'showing',
      release_date: '2026-11-22',
      want_count: 1200 + id * 317,
      synopsis,
      director,
      cast,
      language,
      wanted: false,
    },
    extra || {}
  )
}

const MOVIES = [
  film(
    1,
    '星际归途',
    'The Long Way Home',
    ['sci-fi', 'adventure'],
    148,
    8.7,
    'Mandarin',
    '林望舒',
    ['陈一鸣', '苏晚', 'Marcus Hale'],
    '货运飞船“归途号”在木星轨道失去动力，船员们只剩七十二小时把一船种子送回地球。'
  ),
  film(
    2,
    '长安夜行',
    "Night Watch in Chang'an",
    ['action', 'history'],
    132,
    8.2,
    'Mandarin',
    '顾长风',
    ['赵子越', '白芷', '韩青'],
    '上元节前夜，一名不良人必须在坊门关闭前找出潜入长安城的刺客。'
  ),
  film(
    3,
    '熊猫特工队',
    'Panda Squad',
    ['animation', 'family', 'comedy'],
    96,
    7.9,
    'Mandarin',
    '何小满',
    ['团团', '圆圆', '王大锤'],
    '三只熊猫幼崽误入动物园的秘密情报部，要在开园日之前找回失踪的竹子配方。'
  ),
  film(
    4,
    '雾都迷案',
    'The Fog City Case',
    ['mystery', 'crime'],
    121,
    7.4,
    'Mandarin',
    '沈砚',
    ['罗城', '乔安', '孟一帆'],
    '一场持续七天的大雾里，老刑警追查一桩看似不可能完成的密室失踪案。'
  ),
  film(
    5,
    '无声的证人',
    'Silent Witness',
    ['crime', 'thriller'],
    109,
    7.1,
    'Cantonese',
    '陈家乐',
    ['黎明轩', '方婷'],
    '唯一目击凶案的聋哑少女，成了警方和凶手同时寻找的人。'
  ),
  film(
    6,
    '银河外卖',
    'Space Delivery',
    ['comedy', 'sci-fi'],
    0,
    null,
    'Mandarin',
    '马骁',
    ['包贝贝', '宋小雨'],
    '2099 年，一位外卖骑手接到一张送往火星基地的订单，限时三十分钟。',
    { status: 'coming', release_date: '2026-12-24', duration_min: 102 }
  ),
]

const CINEMAS = [
  {
    id: 1,
    name: '星光影城（人民广场店）',
    city: '上海',
    address: '上海市黄浦区西藏中路 268 号 5 楼',
    timezone: 'Asia/Shanghai',
    distance_m: 850,
    price_from_fen: 4500,
    formats: ['IMAX', '2D'],
  },
  {
    id: 2,
    name: '浦江国际影城（陆家嘴店）',
    city: '上海',
    address: '上海市浦东新区陆家嘴环路 1000 号 B1',
    timezone: 'Asia/Shanghai',
    distance_m: 4200,
    price_from_fen: 4800,
    formats: ['2D', '3D'],
  },
  {
    id: 3,
    name: '京华影城（三里屯店）',
    city: '北京',
    address: '北京市朝阳区三里屯路 19 号 3 楼',
    timezone: 'Asia/Shanghai',
    distance_m: 1067000,
    price_from_fen: 5000,
    formats: ['Laser'],
  },
]
CINEMAS.forEach((c) => (c.format_names = c.formats.map((f) => DICTIONARY.formats[f])))

function today(hour, minute) {
  const now = new Date(Date.now() + 8 * 3600000)
  const date = now.toISOString().slice(0, 10)
  const pad = (n) => String(n).padStart(2, '0')
  return `${date}T${pad(hour)}:${pad(minute)}:00+08:00`
}

let nextShowtime = 100
function showtime(movieId, cinemaId, hall, format, language, hour, minute, prices) {
  const m = MOVIES.find((x) => x.id === movieId)
  const c = CINEMAS.find((x) => x.id === cinemaId)
  const ends = hour * 60 + minute + m.duration_min + 15
  nextShowtime += 1
  return {
    id: nextShowtime,
    movie_id: movieId,
    movie_title: m.title,
    cinema_id: cinemaId,
    cinema_name: c.name,
    hall_id: 1,
    hall_name: hall,
    starts_at: today(hour, minute),
    ends_at: today(Math.floor(ends / 60) % 24, ends % 60),
    language,
    language_name: DICTIONARY.languages[language],
    format,
    format_name: DICTIONARY.formats[format],
    prices,
    price_from_fen: Math.min(...Object.values(prices)),
    price_to_fen: Math.max(...Object.values(prices)),
    seat_count: 288,
    free_seats: 200 - hour * 3,
    sales_open: true,
    status: 'scheduled',
  }
}

const IMAX = { standard: 7500, premium: 9500, couple: 8500 }
const HALL2 = { standard: 4500, couple: 5500 }
const STADIUM = { standard: 4800, premium: 5800, couple: 6000 }
const SHOWTIMES = [
  showtime(1, 1, '1号厅 IMAX', 'IMAX', 'Mandarin', 19, 30, IMAX),
  showtime(1, 1, '2号厅', '2D', 'Mandarin', 20, 15, HALL2),
  showtime(1, 1, '1号厅 IMAX', 'IMAX', 'Mandarin', 22, 10, IMAX),
  showtime(2, 1, '2号厅', '2D', 'Mandarin', 18, 40, HALL2),
  showtime(5, 1, '2号厅', '2D', 'Cantonese', 21, 0, HALL2),
  showtime(1, 2, '1号厅', '2D', 'Mandarin', 19, 50, STADIUM),
  showtime(1, 2, '2号厅 3D', '3D', 'Mandarin', 21, 20, { standard: 5500, couple: 6500 }),
]

/** The price step by step (PriceOut), snacks added after the ticket discounts. */
function price(list, member, coupon, points, snacks) {
  const s = snacks || 0
  return {
    list_fen: list,
    member_discount_fen: member,
    coupon_fen: coupon,
    points_fen: points,
    points_used: points,
    snacks_fen: s,
    paid_fen: list - member - coupon - points + s,
  }
}

const SEATS = [
  { seat: 'E-7', price_fen: 4500 },
  { seat: 'E-8', price_fen: 4500 },
]

function order(id, status, extra) {
  const show = SHOWTIMES[0]
  return Object.assign(
    {
      id,
      kind: 'tickets',
      status,
      reason: null,
      reason_text: null,
      showtime: {
        id: show.id,
        movie_title: show.movie_title,
        cinema_name: show.cinema_name,
        hall_name: show.hall_name,
        starts_at: show.starts_at,
      },
      cinema: { id: show.cinema_id, name: show.cinema_name },
      seats: SEATS,
      amount_fen: 9000,
      price: price(9000, 0, 0, 0),
      snacks: [],
      pickup: null,
      expires_at: new Date(Date.now() + 9 * 60000 + 41000).toISOString(),
      tickets: [],
      refundable_until: null,
      created_at: new Date().toISOString(),
    },
    extra || {}
  )
}

const TICKETED = order('o-20261204-1', 'ticketed', {
  expires_at: null,
  amount_fen: 16800,
  price: price(9000, 900, 0, 0, 8700),
  snacks: SNACK_LINES,
  pickup: PICKUP,
  refundable_until: new Date(Date.parse(SHOWTIMES[0].starts_at) - 30 * 60000).toISOString(),
  tickets: SEATS.map((s, i) => ({
    seat: s.seat,
    code: ['K7Q2M9', 'P3X8D4'][i],
    price_fen: s.price_fen,
    live: true,
    qr_url: `/api/v1/tickets/${['K7Q2M9', 'P3X8D4'][i]}/qr.png`,
  })),
})
const PENDING = order('o-20261204-2', 'pending_payment')
// Snacks alone (卖品单独购买): `kind: "snacks"`, the cinema, no showtime, seats or tickets.
const SNACKS_ONLY = order('S1-3f9a0c2d7b1e54', 'ticketed', {
  kind: 'snacks',
  cinema: { id: CINEMAS[0].id, name: CINEMAS[0].name },
  created_at: '2026-12-04T18:42:00+08:00',
  showtime: null,
  seats: [],
  expires_at: null,
  amount_fen: 8700,
  price: price(0, 0, 0, 0, 8700),
  snacks: SNACK_LINES,
  pickup: Object.assign({}, PICKUP, { code: 'T5W9R4' }),
})
const REFUNDED = order('o-20261120-7', 'refunded', {
  expires_at: null,
  showtime: Object.assign({}, TICKETED.showtime, {
    movie_title: '长安夜行',
    starts_at: '2026-11-20T20:00:00+08:00',
  }),
})

/** Answer every read the pages make from the lists above. */
function routeDemo(wx) {
  const byId = (list, req) => list.find((x) => String(x.id) === req.path.split('/').pop())
  wx.route('GET', '/api/v1/dictionary', () => DICTIONARY)
  wx.route('GET', '/api/v1/movies/hot', () => ({
    items: MOVIES.filter((m) => m.status === 'showing').slice(0, 4),
  }))
  wx.route('GET', '/api/v1/movies', (req) => ({
    items: MOVIES.filter(
      (m) =>
        (!req.query.status || m.status === req.query.status) &&
        (!req.query.q || m.title.includes(req.query.q))
    ),
    next_cursor: null,
  }))
  wx.route('GET', /^\/api\/v1\/movies\/\d+$/, (req) => byId(MOVIES, req))
  wx.route('GET', '/api/v1/me/favourites', () => ({ items: [MOVIES[0], MOVIES[5]], next_cursor: null }))
  wx.route('GET', '/api/v1/cities', () => ({
    items: [
      { city: '上海', cinema_count: 2 },
      { city: '北京', cinema_count: 1 },
    ],
  }))
  wx.route('GET', '/api/v1/cinemas', (req) => ({
    items: CINEMAS.filter((c) => !req.query.city || c.city === req.query.city),
  }))
  wx.route('GET', /^\/api\/v1\/cinemas\/\d+$/, (req) => byId(CINEMAS, req))
  wx.route('GET', '/api/v1/showtimes', (req) => ({
    items: SHOWTIMES.filter(
      (s) =>
        (!req.query.movie_id || s.movie_id === Number(req.query.movie_id)) &&
        (!req.query.cinema_id || s.cinema_id === Number(req.query.cinema_id))
    ),
  }))
  wx.route('GET', /^\/api\/v1\/showtimes\/\d+$/, (req) => byId(SHOWTIMES, req))
  wx.route('GET', /^\/api\/v1\/showtimes\/\d+\/seats$/, (req) => {
    const states = { 'F-9': 'sold', 'F-10': 'sold', 'F-11': 'sold', 'G-3': 'held', 'E-12': 'sold' }
    return seatsAnswer(Number(req.path.split('/')[4]), bigHall(), BIG_HALL_PRICES, { states })
  })
  wx.route('GET', '/api/v1/me/orders', () => ({
    items: [PENDING, SNACKS_ONLY, TICKETED, REFUNDED],
    next_cursor: null,
  }))
  wx.route('GET', /^\/api\/v1\/orders\/[\w-]+$/, (req) =>
    byId([PENDING, TICKETED, REFUNDED, SNACKS_ONLY], req)
  )
  wx.route('GET', /^\/api\/v1\/holds\/[\w-]+$/, () => ({
    id: 'h1',
    showtime_id: SHOWTIMES[0].id,
    seats: ['E-7', 'E-8'],
    amount_fen: 9000,
    expires_at: new Date(Date.now() + 9 * 60000).toISOString(),
  }))
  wx.route('GET', /^\/api\/v1\/tickets\/\w+\/qr.png$/, () => 'png')
  routeExtras(wx, { MOVIES, SHOWTIMES, TICKETED, SNACKS_ONLY, price })
}

module.exports = { DICTIONARY, MOVIES, CINEMAS, SHOWTIMES, TICKETED, PENDING, SNACKS_ONLY, routeDemo }
