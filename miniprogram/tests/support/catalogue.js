/** A small catalogue in the service's answer shapes (contract_catalogue), routed on a fake wx. */
function movie(id, title, extra) {
  return Object.assign(
    {
      id,
      title,
      original_title: `${title} (original)`,
      genres: ['剧情', '科幻'],
      duration_min: 120,
      score: 8.6,
      poster_url: `/media/posters/${id}.png`,
      status: 'showing',
      release_date: '2025-01-01',
      want_count: 10 * id,
    },
    extra || {}
  )
}

const MOVIES = [
  movie(1, '流浪地球'),
  movie(2, '满江红'),
  movie(3, '深海', { status: 'coming', score: null, release_date: '2030-02-01' }),
]

const CINEMAS = [
  { id: 11, name: '万达影城', city: '上海', address: '南京西路1号', timezone: 'Asia/Shanghai' },
  { id: 12, name: '大光明', city: '上海', address: '南京西路216号', timezone: 'Asia/Shanghai' },
  { id: 21, name: '北京影院', city: '北京', address: '长安街1号', timezone: 'Asia/Shanghai' },
]

function showtime(id, movieId, cinemaId, startsAt, extra) {
  const m = MOVIES.find((x) => x.id === movieId)
  const c = CINEMAS.find((x) => x.id === cinemaId)
  return Object.assign(
    {
      id,
      movie_id: movieId,
      movie_title: m.title,
      cinema_id: cinemaId,
      cinema_name: c.name,
      hall_id: 1,
      hall_name: '1号厅',
      starts_at: startsAt,
      ends_at: startsAt.replace(/T(\d\d)/, (all, h) => `T${String(Number(h) + 2).padStart(2, '0')}`),
      language: '国语',
      format: '2D',
      prices: { standard: 4500 },
      price_from_fen: 4500,
      price_to_fen: 6000,
      seat_count: 240,
      free_seats: 200,
      sales_open: true,
      status: 'scheduled',
    },
    extra || {}
  )
}

const SHOWTIMES = [
  showtime(7, 1, 11, '2030-01-01T19:30:00+08:00'),
  showtime(8, 2, 11, '2030-01-01T20:00:00+08:00', { sales_open: false }),
  showtime(9, 1, 12, '2030-01-01T21:00:00+08:00'),
]

/** Answer every catalogue read from the lists above. */
function routeCatalogue(wx) {
  wx.route('GET', '/api/v1/movies/hot', () => ({ items: MOVIES.slice(0, 2) }))
  wx.route('GET', '/api/v1/movies', (req) => {
    let items = MOVIES
    if (req.query.status) items = items.filter((m) => m.status === req.query.status)
    if (req.query.q) items = items.filter((m) => m.title.includes(req.query.q))
    return { items, next_cursor: null }
  })
  wx.route('GET', /^\/api\/v1\/movies\/\d+$/, (req) => {
    const id = Number(req.path.split('/').pop())
    return Object.assign(
      { synopsis: '简介', director: '导演', cast: ['甲', '乙'], wanted: false },
      MOVIES.find((m) => m.id === id)
    )
  })
  wx.route('GET', '/api/v1/cities', () => ({
    items: [
      { city: '上海', cinema_count: 2 },
      { city: '北京', cinema_count: 1 },
    ],
  }))
  // With a position, a made-up distance that grows with the id, nearest first as the service sorts.
  wx.route('GET', '/api/v1/cinemas', (req) => ({
    items: CINEMAS.filter(
      (c) => (!req.query.city || c.city === req.query.city) && (!req.query.q || c.name.includes(req.query.q))
    ).map((c) =>
      Object.assign({}, c, {
        distance_m: req.query.lat ? c.id * 100 : null,
        price_from_fen: 3900,
        formats: ['IMAX', 'Laser'],
        format_names: ['IMAX', '激光'],
      })
    ),
  }))
  wx.route('GET', /^\/api\/v1\/cinemas\/\d+$/, (req) =>
    CINEMAS.find((c) => c.id === Number(req.path.split('/').pop()))
  )
  wx.route('GET', '/api/v1/showtimes', (req) => ({
    items: SHOWTIMES.filter(
      (s) =>
        (!req.query.movie_id || s.movie_id === Number(req.query.movie_id)) &&
        (!req.query.cinema_id || s.cinema_id === Number(req.query.cinema_id))
    ),
  }))
  wx.route('GET', /^\/api\/v1\/showtimes\/\d+$/, (req) =>
    SHOWTIMES.find((s) => s.id === Number(req.path.split('/').pop()))
  )
}

module.exports = { MOVIES, CINEMAS, SHOWTIMES, routeCatalogue }
