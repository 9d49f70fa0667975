/**
 * The door scanner page (web/console/scanner.html): a staff phone at a door reads ticket QR codes
 * with its camera (or takes a typed code), and shows a big green or red answer with the seat and
 * the reason, and each of today's showtimes admitted of sold. Online, the server decides
 * (POST /api/v1/staff/checkins); in offline mode the device decides from the day kit and syncs later
 * (./scanner-offline.js).
 */

import { api, describe, staffSession } from './api.js'
import { cameraReader } from './scanner-camera.js'
import { admitOffline, downloadKit, pendingScans, storedKit, syncScans } from './scanner-offline.js'

const $ = (selector) => document.querySelector(selector)
const state = { cinemas: [], kit: null, busy: false, syncing: null }

function show(kind, title, seat = '', reason = '') {
  const box = $('#answer')
  box.className = `s-answer ${kind === 'ok' ? 's-ok' : kind === 'bad' ? 's-bad' : 's-idle'}`
  box.dataset.result = kind
  $('#answer-title').textContent = title
  $('#answer-seat').textContent = seat
  $('#answer-reason').textContent = reason
}

const cinemaId = () => Number($('#cinema').value)
const doorName = () => $('#door').value.trim() || 'main'
const offline = () => $('#offline').checked

async function scan(ticket) {
  if (state.busy) return
  state.busy = true
  try {
    if (offline()) await scanOffline(ticket)
    else await scanOnline(ticket)
  } finally {
    state.busy = false
  }
}

async function scanOnline(ticket) {
  try {
    const answer = await api('/api/v1/staff/checkins', { method: 'POST', body: { ...ticket, door: doorName() } })
    const t = answer.ticket
    show('ok', 'Admitted', t.seat, `${t.movie_title} · ${t.hall} · ${t.starts_at.slice(11, 16)}`)
    setCounter(answer.counter)
  } catch (err) {
    if (err.code === 'network_error' && state.kit) {
      $('#offline').checked = true // the network is gone: the day kit decides from now on
      await scanOffline(ticket)
      return
    }
    const d = err.details || {}
    if (err.code === 'already_checked_in') {
      show('bad', 'Already in', d.seat || '', `checked in at ${d.door} ${String(d.checked_in_at).slice(11, 16)}`)
    } else {
      show('bad', 'Refused', d.seat || '', describe(err))
    }
  }
}

async function scanOffline(ticket) {
  if (!state.kit) {
    show('bad', 'No day kit', '', "download the day's tickets first")
    return
  }
  const verdict = await admitOffline(state.kit, ticket, doorName())
  if (verdict.ok) {
    show('ok', 'Admitted', verdict.seat, `offline · ${verdict.hall}`)
    const counter = state.kit.showtimes.find((s) => s.showtime_id === verdict.showtimeId)
    if (counter) {
      counter.admitted += 1 // this device's count until the next sync
      setCounter(counter)
    }
  } else show('bad', verdict.code === 'already_checked_in' ? 'Already in' : 'Refused', verdict.seat || '', verdict.why)
  await refreshOfflineStatus()
}

function setCounter(counter) {
  const item = document.querySelector(`#counters li[data-showtime="${counter.showtime_id}"] b`)
  if (item) item.textContent = `${counter.admitted} / ${counter.sold}`
}

async function loadCounters() {
  const list = $('#counters')
  let shows = []
  try {
    shows = (await api(`/api/v1/staff/door/day?cinema_id=${cinemaId()}`)).showtimes
  } catch (err) {
    shows = state.kit ? state.kit.showtimes : []
  }
  list.replaceChildren(
    ...shows.map((s) => {
      const item = document.createElement('li')
      item.dataset.showtime = String(s.showtime_id)
      const name = document.createElement('span')
      name.textContent = `${s.starts_at.slice(11, 16)} ${s.movie_title} · ${s.hall}`
      const figure = document.createElement('b')
      figure.textContent = `${s.admitted} / ${s.sold}`
      figure.title = 'admitted / sold'
      item.append(name, figure)
      return item
    }),
  )
  if (!shows.length) list.textContent = 'No showtimes today.'
}

async function refreshOfflineStatus() {
  const pending = (await pendingScans()).length
  const kit = state.kit
  $('#offline-status').textContent = kit
    ? `Day kit from ${new Date(kit.downloaded_at).toTimeString().slice(0, 5)}: ${kit.tickets.length} tickets, ${kit.revoked.length} revoked. ${pending} scan(s) to sync.`
    : `The day's tickets are not downloaded. ${pending} scan(s) to sync.`
}

async function getKit() {
  try {
    state.kit = await downloadKit(api, cinemaId())
  } catch (err) {
    show('bad', 'Download failed', '', describe(err))
  }
  await refreshOfflineStatus()
}

/** One sync at a time (the network's return and a tap on "Sync now" can come together). */
function sync() {
  if (!state.syncing) state.syncing = syncOnce().finally(() => (state.syncing = null))
  return state.syncing
}

async function syncOnce() {
  try {
    const conflicts = await syncScans(api)
    const list = $('#conflicts')
    for (const scan of conflicts) {
      const item = document.createElement('li')
      item.dataset.code = scan.code
      const r = scan.result
      const where = r.door ? ` (admitted at ${r.door} ${String(r.checked_in_at || '').slice(11, 16)})` : ''
      item.textContent = `${scan.seat || scan.code}: ${r.reason}${where}`
      list.append(item)
    }
    await loadCounters()
  } catch (err) {
    if (err.code !== 'network_error') show('bad', 'Sync failed', '', describe(err))
  }
  await refreshOfflineStatus()
}

async function start() {
  if (!staffSession.token) {
    $('#signin').hidden = false
    return
  }
  try {
    state.cinemas = (await api('/api/v1/staff/cinemas')).items
  } catch (err) {
    $('#signin').hidden = false
    return
  }
  const picker = $('#cinema')
  picker.replaceChildren(
    ...state.cinemas.map((c) => {
      const option = document.createElement('option')
      option.value = String(c.id)
      option.textContent = c.name
      return option
    }),
  )
  const remembered = localStorage.getItem('seatcore.console.cinema')
  if (state.cinemas.some((c) => String(c.id) === remembered)) picker.value = remembered
  $('#door').value = localStorage.getItem('seatcore.scanner.door') || 'main'
  $('#signin').hidden = true
  $('#app').hidden = false
  await chooseCinema()
}

async function chooseCinema() {
  state.kit = (await storedKit(cinemaId())) || null
  await Promise.all([loadCounters(), refreshOfflineStatus()])
}

async function signIn(event) {
  event.preventDefault()
  const form = event.target
  try {
    const answer = await api('/api/v1/auth/staff-login', {
      method: 'POST',
      body: { username: form.username.value, password: form.password.value },
    })
    staffSession.save(answer.token, answer.user)
    await start()
  } catch (err) {
    $('#signin-error').textContent = describe(err)
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const camera = cameraReader($('#camera'), $('#frame'), (text) => scan({ qr: text }))
  $('#signin-form').addEventListener('submit', signIn)
  $('#camera-start').addEventListener('click', async () => {
    try {
      await camera.start()
      $('#camera-start').hidden = true
      $('#camera-stop').hidden = false
      $('#camera-status').textContent = 'Reading…'
    } catch (err) {
      $('#camera-status').textContent = `No camera: ${err.message || err}. Type the code instead.`
    }
  })
  $('#camera-stop').addEventListener('click', () => {
    camera.stop()
    $('#camera-start').hidden = false
    $('#camera-stop').hidden = true
    $('#camera-status').textContent = ''
  })
  $('#answer').addEventListener('click', () => camera.forget()) // tap: read the same ticket again
  $('#manual').addEventListener('submit', (event) => {
    event.preventDefault()
    const code = event.target.code.value.trim().toUpperCase()
    if (code) scan({ code }).then(() => event.target.reset())
  })
  $('#cinema').addEventListener('change', (event) => {
    localStorage.setItem('seatcore.console.cinema', event.target.value)
    chooseCinema()
  })
  $('#door').addEventListener('change', () => localStorage.setItem('seatcore.scanner.door', doorName()))
  $('#offline').addEventListener('change', () => offline() && !state.kit && getKit())
  $('#kit').addEventListener('click', getKit)
  $('#sync').addEventListener('click', sync)
  window.addEventListener('online', sync)
  window.addEventListener('console:signed-out', () => ($('#signin').hidden = false))
  start()
})
