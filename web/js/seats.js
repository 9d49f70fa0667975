/**
 * The seat page (seats.html?showtime=ID): the live map, picking, holding, my hold's countdown.
 *
 * The first state comes from GET /api/v1/showtimes/{id}/seats; the socket then resumes from its
 * seq, so only later changes travel. The stranded-seat rule is checked as the user taps (the
 * server's own rule and message, seat-rules.js) and a hold that breaks it is refused without a
 * request; the server still checks every hold. A refused hold is explained in words, and the
 * seats a rule names are flagged on the map. Seats read `E排7座` wherever a person reads them.
 */

import { step, error as reportError, trackPage, variant } from './analytics.js'
import { api, session, signIn, ApiError } from './api.js'
import { countdown, clock, isoDate, yuan } from './format.js'
import { explain, locale, t } from './i18n.js'
import { LiveSocket } from './live-socket.js'
import { SeatMap } from './seat-map.js'
import { SeatMapState } from './seat-state.js'
import { admissionHeaders, waitYourTurn } from './waiting-room.js'
import './seat-rules.js'

const { strandedRefusal } = globalThis.seatRules

const $ = (selector) => document.querySelector(selector)
const showtimeId = Number(new URLSearchParams(window.location.search).get('showtime'))

const page = {
  state: null,
  map: null,
  socket: null,
  salesOpen: true,
  busy: false,
  heldWhileBusy: [],
  ticker: null,
  bestCount: 2,
  bestPlacement: 'below', // the experiment best_seats_position: the best-seats row above or below the map
}

async function main() {
  document.documentElement.lang = t('screen') === 'Screen' ? 'en' : 'zh-CN'
  renderAccount()
  if (!Number.isInteger(showtimeId) || showtimeId <= 0) {
    notice(t('not_found'))
    return
  }
  trackPage('web/seats')
  step('seatmap_opened', { showtime_id: showtimeId })
  variant('best_seats_position', 'below').then((placement) => {
    page.bestPlacement = placement
    if (page.state) renderPanel()
  })
  const showtime = api(`/api/v1/showtimes/${showtimeId}`).catch(() => null)
  showtime.then(renderTitle)
  // A premiere's on-sale: the line only when the showtime says a room is open (or cannot say).
  const room = await showtime
  if (session.token && (room === null || room.waiting_room)) await waitYourTurn(showtimeId, $('#waiting'))
  let seats
  try {
    seats = await api(`/api/v1/showtimes/${showtimeId}/seats`)
  } catch (err) {
    notice(explain(err))
    return
  }
  page.salesOpen = seats.sales_open !== false
  page.state = new SeatMapState(seats.layout, seats.prices)
  page.state.applySnapshot(seats)
  page.map = new SeatMap($('#seat-map'), page.state, { onTap })
  window.addEventListener('resize', () => page.map.fit())
  // The socket watches anonymously: a token in its URL would end up in access logs. My own seats
  // come with the HTTP snapshot, and deltas name my hold, so only a socket snapshot (a resync)
  // needs the HTTP one again.
  page.socket = new LiveSocket({ showtimeId, state: page.state, onUpdate, onStatus: renderStatus })
  page.socket.start()
  renderPanel()
  startTicker()
}

function onUpdate({ kind, changed, lost }) {
  page.map.update(changed)
  if (kind === 'snapshot' && session.token) refreshMine(false)
  if (page.busy) page.heldWhileBusy.push(...lost)
  else if (lost.length) notice(t('seat_taken_live', { seats: names(lost) }), lost)
  else if (!page.busy) checkStranded()
  renderPanel()
}

function onTap(seatId) {
  if (page.busy) return
  if (page.state.myHold) {
    notice(t('hold_limit'))
    return
  }
  const result = page.state.toggle(seatId)
  if (!result.ok) {
    notice(explain(named(result)), result.details.seats || [])
    return
  }
  clearNotice()
  if (page.state.picked().includes(seatId)) step('seat_picked', { showtime_id: showtimeId })
  page.map.update(result.seats)
  checkStranded()
  renderPanel()
}

/** Name the seats the picks would strand, as the server would, before anything is sent. */
function checkStranded() {
  const stranded = page.state.stranded()
  page.map.warn(stranded)
  if (stranded.length) refused(strandedRefusal(stranded))
  return stranded
}

/** An error whose `details.seats` ids are replaced by the seats' names, for explain(). */
function named(err) {
  const details = { ...(err.details || {}) }
  if (Array.isArray(details.seats)) details.seats = names(details.seats)
  return { ...err, details }
}

function names(ids) {
  return ids.map((id) => page.state.name(id, locale()))
}

/** POST a hold; `body` is `{seats}` or `{best}`. Refusals are explained, never thrown. */
async function hold(body) {
  if (!session.token) {
    notice(t('unauthorized'))
    showSignIn()
    return
  }
  step('hold_asked', { showtime_id: showtimeId })
  page.busy = true
  page.heldWhileBusy = []
  renderPanel()
  try {
    const created = await api(`/api/v1/showtimes/${showtimeId}/holds`, {
      method: 'POST',
      body,
      headers: admissionHeaders(showtimeId),
    })
    page.map.update(page.state.setHold(created))
    const lost = page.heldWhileBusy.filter((id) => !created.seats.includes(id))
    page.map.warn([])
    if (lost.length) notice(t('seat_taken_live', { seats: names(lost) }), lost)
    else clearNotice()
  } catch (err) {
    refused(err)
  } finally {
    page.busy = false
    page.heldWhileBusy = []
    renderPanel()
  }
}

function refused(err) {
  reportError(err.code)
  const seats = (err.details && err.details.seats) || []
  if (err.code === 'stranded_seat') {
    notice(`${explain(named(err))} ${t('rule_stranded')}`, seats)
  } else {
    notice(explain(named(err)), seats)
  }
  if (err.code === 'admission_required') waitYourTurn(showtimeId, $('#waiting'))
  if (err.code === 'unauthorized' || err.status === 401) {
    renderAccount()
    showSignIn()
  }
}

async function holdPicks() {
  const seats = page.state.picked()
  if (!seats.length) {
    notice(t('no_seats_picked'))
    return
  }
  if (checkStranded().length) return
  const body = { seats }
  if (page.state.needsAccess(seats)) body.accessible = true
  await hold(body)
}

async function release() {
  const current = page.state.myHold
  if (!current || page.busy) return
  page.busy = true
  try {
    await api(`/api/v1/holds/${encodeURIComponent(current.id)}`, { method: 'DELETE' })
    page.map.update(page.state.clearHold())
    clearNotice()
  } catch (err) {
    if (err.code === 'hold_expired') page.map.update(page.state.clearHold())
    notice(explain(err))
  } finally {
    page.busy = false
    renderPanel()
  }
}

async function extend() {
  const current = page.state.myHold
  if (!current || page.busy) return
  try {
    const extended = await api(`/api/v1/holds/${encodeURIComponent(current.id)}/extend`, { method: 'POST' })
    page.state.myHold = { ...current, expires_at: extended.expires_at }
    renderPanel()
  } catch (err) {
    notice(explain(err))
  }
}

/** Once a second: my hold's countdown; at zero the hold is gone (the map hears it too). */
function startTicker() {
  clearInterval(page.ticker)
  page.ticker = setInterval(() => {
    const current = page.state.myHold
    if (!current) return
    const left = Date.parse(current.expires_at) - Date.now()
    if (left <= 0) {
      page.map.update(page.state.clearHold())
      notice(t('hold_expired'))
      renderPanel()
      return
    }
    const clockEl = $('#hold-countdown')
    if (clockEl) clockEl.textContent = countdown(left)
  }, 1000)
}

function renderPanel() {
  const panel = $('#panel')
  const { state } = page
  panel.replaceChildren()
  renderBest(false)
  if (!page.salesOpen) {
    panel.append(node('p', 'closed', t('sales_closed_banner')))
    return
  }
  if (state.myHold) {
    const seats = state.held()
    const left = countdown(Date.parse(state.myHold.expires_at) - Date.now())
    const text = node('p', 'my-hold')
    text.id = 'my-hold'
    const [before, after] = t('my_hold', { seats: names(seats), time: '\u0000' }).split('\u0000')
    const clockEl = node('strong', 'countdown', left)
    clockEl.id = 'hold-countdown'
    text.append(before, clockEl, after)
    panel.append(text, totals(seats), actions([t('extend'), extend, 'secondary'], [t('release'), release, 'danger']))
    return
  }
  const picks = state.picked()
  if (picks.length) {
    panel.append(chips(picks), totals(picks), actions([page.busy ? t('holding') : t('hold'), holdPicks, 'primary']))
  } else {
    panel.append(node('p', 'hint', t('pick_hint')))
  }
  renderBest(true)
}

/** The best-seats row in the panel below the map, or above the map (the experiment's variant). */
function renderBest(shown) {
  const above = page.bestPlacement === 'above'
  let slot = $('#best-above')
  if (above && !slot) {
    slot = node('div', 'best-above')
    slot.id = 'best-above'
    $('#seat-map').before(slot)
  }
  if (slot) slot.replaceChildren()
  if (shown) (above ? slot : $('#panel')).append(bestPicker())
}

/** The picked seats as chips, `F排4座 ¥95 ✕`; tapping one puts the seat (and its pair) back. */
function chips(ids) {
  const list = node('div', 'picks')
  for (const id of ids) {
    const chip = node('button', 'chip', `${page.state.name(id, locale())} ${yuan(page.state.priceOf(id))} ✕`)
    chip.type = 'button'
    chip.dataset.pick = id
    chip.disabled = page.busy
    chip.addEventListener('click', () => onTap(id))
    list.append(chip)
  }
  return list
}

function totals(ids) {
  return node('p', 'total', `${t('total')} ${yuan(page.state.totalFen(ids))}`)
}

function actions(...buttons) {
  const row = node('div', 'actions')
  for (const [label, handler, kind] of buttons) {
    const button = node('button', kind, label)
    button.type = 'button'
    button.disabled = page.busy
    button.addEventListener('click', handler)
    row.append(button)
  }
  return row
}

function bestPicker() {
  const row = node('div', 'best')
  const select = document.createElement('select')
  select.id = 'best-count'
  select.setAttribute('aria-label', t('best_count'))
  for (let n = 1; n <= 6; n += 1) {
    const option = node('option', '', String(n))
    option.value = String(n)
    option.selected = n === page.bestCount
    select.append(option)
  }
  select.addEventListener('change', () => {
    page.bestCount = Number(select.value)
  })
  const button = node('button', 'secondary', t('best'))
  button.type = 'button'
  button.id = 'best-button'
  button.disabled = page.busy
  button.addEventListener('click', () => hold({ best: page.bestCount }))
  row.append(node('span', '', t('best_count')), select, button)
  return row
}

function renderTitle(show) {
  if (!show) return
  $('#movie-title').textContent = show.movie_title
  $('#show-meta').textContent = [
    show.cinema_name,
    show.hall_name,
    `${isoDate(show.starts_at).slice(5)} ${clock(show.starts_at)}`,
    show.language,
    show.format,
  ]
    .filter(Boolean)
    .join(' · ')
  document.title = `${show.movie_title} · ${t('pick_seats')}`
}

function renderStatus(status) {
  const box = $('#live-status')
  box.dataset.status = status
  box.textContent = t(`live_${status}`) || ''
}

function renderAccount() {
  const box = $('#account')
  box.replaceChildren()
  const user = session.token ? session.user : null
  if (user) {
    const out = node('button', 'link', t('sign_out'))
    out.type = 'button'
    out.addEventListener('click', () => {
      session.clear()
      renderAccount()
      refreshMine()
    })
    box.append(node('span', '', t('signed_in_as', { name: user.name })), out)
    return
  }
  const button = node('button', 'link', t('sign_in'))
  button.type = 'button'
  button.id = 'sign-in'
  button.addEventListener('click', showSignIn)
  box.append(button)
}

function showSignIn() {
  const box = $('#account')
  if (box.querySelector('form')) return
  const form = document.createElement('form')
  form.id = 'sign-in-form'
  const input = document.createElement('input')
  input.name = 'name'
  input.required = true
  input.maxLength = 40
  input.placeholder = t('sign_in_name')
  input.value = `guest${Math.floor(Math.random() * 100000)}`
  const submit = node('button', 'primary', t('sign_in'))
  submit.type = 'submit'
  form.append(input, submit)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    try {
      await signIn(input.value.trim())
      renderAccount()
      clearNotice()
      await refreshMine()
    } catch (err) {
      notice(explain(err instanceof ApiError ? err : { code: 'login_failed' }))
    }
  })
  box.replaceChildren(form)
  input.focus()
}

/**
 * My own seats come only with an HTTP snapshot (signed in): take a fresh one after signing in or
 * out, and after the socket resynced. The socket then goes on from the snapshot's seq (a delta it
 * has already passed is ignored; one that leaves a gap makes it resume).
 */
async function refreshMine(reconnect = true) {
  if (!page.state) return
  try {
    const seats = await api(`/api/v1/showtimes/${showtimeId}/seats`)
    const { changed } = page.state.applySnapshot(seats)
    page.map.update(changed)
    if (reconnect) {
      page.socket.stop()
      page.socket.start()
    }
  } catch (err) {
    notice(explain(err))
  }
  renderPanel()
}

/** Tell the moviegoer something; seats it names are set in bold (and never split over lines). */
function notice(text, flagged = []) {
  const box = $('#notice')
  box.replaceChildren()
  const shown = names(flagged).filter((name) => text.includes(name))
  const escape = (name) => name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')
  const pattern = shown.length ? new RegExp(`(${shown.map(escape).join('|')})`) : null
  for (const part of pattern ? text.split(pattern) : [text]) {
    box.append(shown.includes(part) ? node('strong', 'seat-id', part) : part)
  }
  box.hidden = false
  if (flagged.length && page.map) page.map.flag(flagged)
}

function clearNotice() {
  const box = $('#notice')
  box.hidden = true
  box.textContent = ''
}

function node(tag, className = '', text = '') {
  const element = document.createElement(tag)
  if (className) element.className = className
  if (text) element.textContent = text
  return element
}

main()
