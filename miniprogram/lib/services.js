/**
 * The service's API as named calls (paths from DESIGN.md and the shared contracts), so pages
 * read as what they do. Each returns a promise of the JSON answer or rejects with an ApiError.
 */
const { client } = require('./api')
const { newIdempotencyKey } = require('./ids')
const admission = require('./admission')

const api = () => client()

/** The body of an order of snacks alone or its quote: `points` only when some are spent. */
function snackOrderBody(cinemaId, lines, points) {
  const body = { cinema_id: cinemaId, snacks: lines }
  if (points > 0) body.points = points
  return body
}

module.exports = {
  signIn: () => api().session.ensure(),
  currentUser: () => {
    const stored = api().session.current()
    return stored ? stored.user : null
  },
  signOut: () => api().session.clear(),
  token: () => api().session.token(),

  // Catalogue (public reads; a token, when present, fills `wanted`).
  hotMovies: () => api().get('/api/v1/movies/hot'),
  /** 猜你喜欢: movies for the caller, each with `reason` when it is personal. */
  recommendations: (limit) => api().get('/api/v1/recommendations', { limit: limit || 10 }),
  movies: (query) => api().get('/api/v1/movies', query),
  movie: (id) => api().get(`/api/v1/movies/${id}`),
  want: (id) => api().put(`/api/v1/movies/${id}/want`, {}, { auth: 'required' }),
  unwant: (id) => api().del(`/api/v1/movies/${id}/want`, { auth: 'required' }),
  favourites: (cursor) => api().get('/api/v1/me/favourites', { cursor, limit: 20 }, { auth: 'required' }),
  cities: () => api().get('/api/v1/cities'),
  /** `{city, q, lat, lng}`, each optional; with lat/lng the service answers nearest first. */
  cinemas: (query) => api().get('/api/v1/cinemas', query),
  cinema: (id) => api().get(`/api/v1/cinemas/${id}`),
  showtimes: (query) => api().get('/api/v1/showtimes', query),
  showtime: (id) => api().get(`/api/v1/showtimes/${id}`),

  // Seats.
  seatMap: (showtimeId) => api().get(`/api/v1/showtimes/${showtimeId}/seats`),
  // During a premiere's on-sale, holds carry the waiting room's admission token.
  holdSeats: (showtimeId, seats, accessible) =>
    api().post(
      `/api/v1/showtimes/${showtimeId}/holds`,
      accessible ? { seats, accessible: true } : { seats },
      { auth: 'required', admissionToken: admission.token(showtimeId) }
    ),
  holdBest: (showtimeId, count) =>
    api().post(
      `/api/v1/showtimes/${showtimeId}/holds`,
      { best: count },
      { auth: 'required', admissionToken: admission.token(showtimeId) }
    ),
  hold: (holdId) => api().get(`/api/v1/holds/${holdId}`, undefined, { auth: 'required' }),
  releaseHold: (holdId) => api().del(`/api/v1/holds/${holdId}`, { auth: 'required' }),
  /** My place in the showtime's waiting room (taking one); 404 no_waiting_room when it has none. */
  joinLine: (showtimeId) =>
    api().post(`/api/v1/showtimes/${showtimeId}/waiting-room`, {}, { auth: 'required' }),
  leaveLine: (showtimeId) => api().del(`/api/v1/showtimes/${showtimeId}/waiting-room`, { auth: 'required' }),

  // Orders. Calls that create or move money carry an idempotency key the caller keeps for
  // retries of the same action (the service answers a repeated key with the first answer).
  /** `choice`: `{coupon_id, points, snacks: [{id, qty}]}` (each may be absent). */
  createOrder: (holdId, idempotencyKey, choice) =>
    api().post('/api/v1/orders', Object.assign({ hold_id: holdId }, choice || {}), {
      auth: 'required',
      idempotencyKey,
    }),
  /** `{price, max_points}`: what an order from the hold would cost with `choice`; nothing reserved. */
  quote: (holdId, choice) => api().post(`/api/v1/holds/${holdId}/quote`, choice || {}, { auth: 'required' }),
  order: (id) => api().get(`/api/v1/orders/${id}`, undefined, { auth: 'required' }),
  myOrders: (cursor) => api().get('/api/v1/me/orders', { cursor, limit: 20 }, { auth: 'required' }),
  /** `{order_id, provider, amount_fen, params}`: params are what wx.requestPayment takes. */
  payOrder: (id, idempotencyKey) =>
    api().post(`/api/v1/orders/${id}/pay`, {}, { auth: 'required', idempotencyKey }),
  cancelOrder: (id) => api().post(`/api/v1/orders/${id}/cancel`, {}, { auth: 'required' }),
  refundOrder: (id, idempotencyKey) =>
    api().post(`/api/v1/orders/${id}/refund`, {}, { auth: 'required', idempotencyKey }),
  /** `{refundable, refusal, paid_fen, fee_percent, fee_fen, refund_fen, deadline}`: a refund now. */
  refundQuote: (id) => api().get(`/api/v1/orders/${id}/refund-quote`, undefined, { auth: 'required' }),
  /**
   * 改签: move the ticketed order to the seats of `holdId`. The order with `exchange`; while a
   * dearer exchange's second payment is due (202) `exchange.state` is `paying` with `pay_params`.
   */
  /**
   * 改签 before confirming: what moving the order to the seats of `holdId` costs now
   * (`old_amount_fen`, `new_amount_fen`, `fee_fen`, `free_exchange`, `free_exchanges_left`,
   * `pay_fen`, `refund_fen`, `deadline`), or the refusal the exchange itself would give. Changes nothing.
   */
  exchangeQuote: (id, holdId) =>
    api().get(`/api/v1/orders/${id}/exchange-quote`, { hold_id: holdId }, { auth: 'required' }),
  exchangeOrder: (id, holdId, idempotencyKey) =>
    api().post(`/api/v1/orders/${id}/exchange`, { hold_id: holdId }, { auth: 'required', idempotencyKey }),
  /** A ticket's QR image (it needs the token) downloaded to a temp file for <image>. */
  ticketQr: (qrUrl) => api().download(qrUrl),

  // Snacks (卖品): on sale at a cinema; bought with tickets (`snacks` in the choice) or alone.
  snacks: (cinemaId) => api().get(`/api/v1/cinemas/${cinemaId}/snacks`),
  /**
   * 卖品单独购买, `lines`: `[{id, qty}]`, and `points` to spend (members; none when 0 or absent):
   * 201 an order of `kind: "snacks"` with its `cinema` and no showtime, seats or tickets, paid,
   * cancelled and refunded by id like any other (docs/snacks.md); its points come back if it ends
   * unpaid or is refunded.
   */
  createSnackOrder: (cinemaId, lines, idempotencyKey, points) =>
    api().post('/api/v1/snack-orders', snackOrderBody(cinemaId, lines, points), {
      auth: 'required',
      idempotencyKey,
    }),
  /** `{price, max_points}`: what those snacks alone would cost with `points`; nothing reserved. */
  quoteSnackOrder: (cinemaId, lines, points) =>
    api().post('/api/v1/snack-orders/quote', snackOrderBody(cinemaId, lines, points), { auth: 'required' }),

  // Members, points and coupons.
  membership: () => api().get('/api/v1/me/membership', undefined, { auth: 'required' }),
  join: () => api().post('/api/v1/me/membership', {}, { auth: 'required' }),
  myPoints: (cursor) => api().get('/api/v1/me/points', { cursor, limit: 20 }, { auth: 'required' }),
  couponCentre: () => api().get('/api/v1/coupons'),
  claimCoupon: (body) => api().post('/api/v1/coupons/claim', body, { auth: 'required' }),
  myCoupons: (usable) =>
    api().get('/api/v1/me/coupons', usable ? { usable: 'true' } : undefined, { auth: 'required' }),
  newIdempotencyKey,
}
