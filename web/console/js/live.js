/**
 * A live view of any showtime's seat map for staff: the moviegoer page's own seat-map modules
 * (../../js/seat-state.js, seat-map.js, live-socket.js) fed by `WS /ws/showtimes/{id}`, watched
 * anonymously (staff never hold seats here), with running counts of free, held and sold seats.
 */

import { SeatMap } from '../../js/seat-map.js'
import { SeatMapState } from '../../js/seat-state.js'
import { LiveSocket } from '../../js/live-socket.js'
import { anonymousApi, api } from './api.js'
import { addDays, clock, el, field, isoDate, todayIn } from './dom.js'

export async function liveView(root, ctx) {
  const cinema = ctx.cinema
  const today = todayIn(cinema.timezone)
  const shows = (await api(`/api/v1/staff/showtimes?cinema_id=${cinema.id}&start=${addDays(today, -1)}&days=8`)).items
  const picker = el('select')
  picker.id = 'live-showtime'
  picker.append(new Option('choose a showtime…', ''))
  for (const show of shows) {
    const text = `#${show.id} ${isoDate(show.starts_at)} ${clock(show.starts_at)} ${show.hall_name} · ${show.movie_title}`
    picker.append(new Option(text, String(show.id)))
  }
  const status = el('span', 'c-counts')
  const counts = el('div', 'c-counts')
  const board = el('div', 'c-live')
  const mapRoot = el('div', 'seat-map')
  mapRoot.id = 'live-map'
  board.append(counts, mapRoot)
  root.append(el('div', 'c-toolbar', field('Showtime ', picker), status), board)
  picker.addEventListener('change', () => {
    window.location.hash = picker.value ? `#live/${picker.value}` : '#live'
  })
  if (!ctx.arg) {
    mapRoot.append(el('p', '', 'Pick a showtime to watch its seats change as moviegoers hold and buy them.'))
    return
  }
  picker.value = ctx.arg
  if (picker.value !== ctx.arg) picker.append(new Option(`#${ctx.arg}`, ctx.arg))
  picker.value = ctx.arg

  const snapshot = await anonymousApi(`/api/v1/showtimes/${encodeURIComponent(ctx.arg)}/seats`)
  const state = new SeatMapState(snapshot.layout, snapshot.prices)
  state.applySnapshot(snapshot)
  const map = new SeatMap(mapRoot, state, { onTap: () => {} })
  const recount = () => {
    const tally = { free: 0, held: 0, sold: 0 }
    for (const id of state.order) tally[state.states.get(id) || 'free'] += 1
    counts.replaceChildren(
      el('span', '', `seq ${state.seq}`),
      el('strong', '', `${tally.free} free`),
      el('strong', '', `${tally.held} held`),
      el('strong', '', `${tally.sold} sold`),
    )
  }
  recount()
  const socket = new LiveSocket({
    showtimeId: snapshot.showtime_id,
    state,
    token: () => '',
    onUpdate: (update) => {
      map.update(update.kind === 'snapshot' ? state.order : update.changed)
      recount()
    },
    onStatus: (name) => {
      status.textContent = `live feed: ${name}`
      status.dataset.status = name
    },
  })
  socket.start()
  ctx.cleanup = () => socket.stop()
  window.addEventListener('resize', () => map.fit(), { once: true })
}
