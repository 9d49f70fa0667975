/**
 * A premiere's waiting room on the seat page (docs/waiting-room.md): while the showtime's room is
 * open, a signed-in fan takes a place before picking seats and watches it move over
 * `WS /ws/showtimes/{id}/waiting-room` (the place, an estimated wait, a bar that fills); once
 * admitted, the token is kept for the showtime's holds (X-Admission-Token) and the page goes on.
 * The place is worked out from the frames by waiting-line.js, the mini-program's own file.
 */

import { api, session } from './api.js'
import { backoffMs } from './live-socket.js'
import { t } from './i18n.js'
import './waiting-line.js'

const { WaitingLine, waitWords } = globalThis.waitingLine
const KEY = 'seatcore.admission'
const PING_MS = 15000
const ON_TO_SEATS_MS = 1200
const GIVE_UP = { 4400: true, 4401: true, 4403: true }

function kept() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) || {}
  } catch (err) {
    return {}
  }
}

function remember(showtimeId, token, expiresAt) {
  const all = kept()
  for (const id of Object.keys(all)) if (!(Date.parse(all[id].expiresAt) > Date.now())) delete all[id]
  all[showtimeId] = { token, expiresAt }
  localStorage.setItem(KEY, JSON.stringify(all))
}

/** The headers a hold on the showtime carries: its admission token while it is valid. */
export function admissionHeaders(showtimeId) {
  const mine = kept()[showtimeId]
  return mine && Date.parse(mine.expiresAt) > Date.now() ? { 'X-Admission-Token': mine.token } : {}
}

/**
 * Resolves once the fan may pick seats: the showtime has no room, the fan holds a valid token,
 * or they waited their turn in `panel`.
 */
export async function waitYourTurn(showtimeId, panel) {
  if (admissionHeaders(showtimeId)['X-Admission-Token']) return
  let place
  try {
    place = await api(`/api/v1/showtimes/${showtimeId}/waiting-room`, { method: 'POST' })
  } catch (err) {
    return // no_waiting_room (or the line cannot be asked: a hold then says why)
  }
  if (place.admitted) {
    remember(showtimeId, place.token, place.token_expires_at)
    return
  }
  await new Promise((resolve) => queue(showtimeId, panel, place, resolve))
}

function queue(showtimeId, panel, place, resolve) {
  const line = new WaitingLine()
  const view = build(panel, showtimeId)
  let attempt = 0
  let pinger = null
  const done = () => {
    panel.hidden = true
    document.body.classList.remove('queueing')
    resolve()
  }
  const show = (reconnecting) => {
    const ahead = line.ahead() === null ? place.place : line.ahead()
    view.count.textContent = String(ahead)
    view.eta.textContent = line.open
      ? `${t('waiting_eta')} ${waitWords(line.number === null ? place.estimated_wait_s : line.waitS(), words())}`
      : t('waiting_before_open')
    view.fill.style.width = `${Math.round(line.progress() * 100)}%`
    view.hint.textContent = reconnecting ? t('waiting_reconnecting') : t('waiting_hint')
  }
  const connect = () => {
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
    const token = encodeURIComponent(session.token || '')
    const ws = new WebSocket(`${scheme}://${window.location.host}/ws/showtimes/${showtimeId}/waiting-room?token=${token}`)
    ws.onopen = () => {
      attempt = 0
      pinger = setInterval(() => ws.send('{"type":"ping"}'), PING_MS)
    }
    ws.onmessage = (message) => {
      line.apply(JSON.parse(message.data))
      if (line.admission) {
        remember(showtimeId, line.admission.token, line.admission.expiresAt)
        panel.classList.add('admitted')
        view.fill.style.width = '100%'
        view.turn.textContent = t('waiting_your_turn')
        view.hint.textContent = t('waiting_go_seats')
        setTimeout(done, ON_TO_SEATS_MS)
      } else if (line.closed) done()
      else show(false)
    }
    ws.onclose = (event) => {
      clearInterval(pinger)
      if (line.admission || line.closed) return
      if (event.code === 4404) done() // the room closed: sales go on without it
      else if (GIVE_UP[event.code]) view.hint.textContent = event.reason || t('unknown', { code: event.code })
      else {
        show(true)
        setTimeout(connect, backoffMs(attempt++))
      }
    }
  }
  panel.hidden = false
  document.body.classList.add('queueing')
  show(false)
  connect()
}

function words() {
  return {
    estimating: t('waiting_estimating'),
    under_minute: t('waiting_under_minute'),
    minutes: t('waiting_minutes', { m: '{m}' }),
    hours: t('waiting_hours', { h: '{h}', m: '{m}' }),
  }
}

/** The panel's elements, made once. */
function build(panel, showtimeId) {
  panel.replaceChildren()
  const el = (tag, cls, text) => {
    const node = document.createElement(tag)
    if (cls) node.className = cls
    if (text) node.textContent = text
    return node
  }
  const card = el('div', 'waiting-card')
  const title = el('h2', 'waiting-title', t('waiting_title'))
  const label = el('p', 'waiting-label', t('waiting_ahead'))
  const ahead = el('p', 'waiting-ahead')
  const count = el('span', 'waiting-count', '…')
  ahead.append(count, el('span', 'waiting-unit', t('waiting_people')))
  const turn = el('p', 'waiting-turn')
  const eta = el('p', 'waiting-eta')
  const bar = el('div', 'waiting-bar')
  const fill = el('div', 'waiting-fill')
  bar.append(fill)
  const hint = el('p', 'waiting-hint')
  const leave = el('button', 'waiting-leave', t('waiting_leave'))
  leave.type = 'button'
  leave.addEventListener('click', async () => {
    try {
      await api(`/api/v1/showtimes/${showtimeId}/waiting-room`, { method: 'DELETE' })
    } finally {
      window.location.href = './'
    }
  })
  card.append(title, label, ahead, turn, eta, bar, hint)
  panel.append(card, leave)
  return { count, eta, fill, hint, turn }
}
