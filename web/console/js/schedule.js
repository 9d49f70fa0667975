/**
 * The week schedule of one hall: screenings as blocks on seven day columns (the cinema's clock),
 * a form to add one (a click on an empty spot fills in its day and time), dragging a block to
 * move it, and the selected screening's prices, sales switch, cancellation and live map.
 *
 * The service checks every change against the hall's schedule and its cleaning gap; a clash is
 * shown in words (which showtime, when) and the clashing block is outlined.
 */

import { api, ApiError, describe } from './api.js'
import { addDays, button, cinemaTime, clock, el, field, input, isoDate, select, todayIn, yuan } from './dom.js'

const HOUR_PX = 28
const SNAP_MIN = 5
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']

export async function scheduleView(root, ctx) {
  const cinema = ctx.cinema
  const zone = cinema.timezone
  const [halls, movies] = await Promise.all([
    api(`/api/v1/staff/cinemas/${cinema.id}/halls`).then((a) => a.items),
    api('/api/v1/staff/movies?limit=100').then((a) => a.items),
  ])
  if (!halls.length) {
    root.append(el('p', '', 'This cinema has no halls yet: add one under Seat layouts.'))
    return
  }
  const state = { hallId: halls[0].id, weekStart: todayIn(zone), shows: [], selected: null, clashId: null }
  const message = el('p', 'c-error', '')
  message.id = 'schedule-message'
  message.setAttribute('role', 'alert')
  const weekBox = el('div')
  const side = el('div')
  const hallPicker = select('hall', halls.map((h) => [h.id, h.name]), state.hallId)
  hallPicker.id = 'hall-select'
  const weekLabel = el('strong')
  const toolbar = el(
    'div',
    'c-toolbar',
    field('Hall ', hallPicker),
    button('‹ Week', () => moveWeek(-7)),
    button('This week', () => moveWeek(0)),
    button('Week ›', () => moveWeek(7)),
    weekLabel,
  )
  root.append(toolbar, message, el('div', 'c-columns', weekBox, side))
  hallPicker.addEventListener('change', () => {
    state.hallId = Number(hallPicker.value)
    state.selected = null
    refresh()
  })

  const hall = () => halls.find((h) => h.id === state.hallId)

  function moveWeek(days) {
    state.weekStart = days ? addDays(state.weekStart, days) : todayIn(zone)
    refresh()
  }

  function say(text, bad = true) {
    message.textContent = text
    message.className = bad ? 'c-error' : 'c-error c-ok'
  }

  function explainError(err) {
    if (err instanceof ApiError && err.code === 'schedule_clash') {
      state.clashId = err.details.showtime_id || null
      say(`Schedule clash: ${err.message}.`)
    } else {
      state.clashId = null
      say(describe(err))
    }
  }

  async function refresh() {
    const query = `cinema_id=${cinema.id}&hall_id=${state.hallId}&start=${state.weekStart}&days=7`
    state.shows = (await api(`/api/v1/staff/showtimes?${query}`)).items
    if (state.selected) state.selected = state.shows.find((s) => s.id === state.selected.id) || null
    weekLabel.textContent = `${state.weekStart} – ${addDays(state.weekStart, 6)} (${zone})`
    weekBox.replaceChildren(renderWeek())
    side.replaceChildren(renderForm(), state.selected ? renderSelected(state.selected) : el('span'))
  }

  function renderWeek() {
    const week = el('div', 'c-week')
    week.id = 'week'
    week.style.setProperty('--hour-px', `${HOUR_PX}px`)
    week.append(el('div', 'c-week-head', ''))
    const days = [...Array(7).keys()].map((i) => addDays(state.weekStart, i))
    for (const day of days) {
      const weekday = WEEKDAYS[new Date(`${day}T00:00:00Z`).getUTCDay()]
      week.append(el('div', 'c-week-head', `${weekday} ${day.slice(5)}`))
    }
    const hours = el('div', 'c-hours')
    hours.style.height = `${24 * HOUR_PX}px`
    for (let h = 1; h < 24; h += 1) {
      const label = el('span', '', `${String(h).padStart(2, '0')}:00`)
      label.style.top = `${h * HOUR_PX}px`
      hours.append(label)
    }
    week.append(hours)
    for (const day of days) {
      const column = el('div', 'c-day')
      column.dataset.date = day
      column.style.height = `${24 * HOUR_PX}px`
      column.addEventListener('click', (event) => {
        if (event.target !== column) return
        const minutes = snap((event.offsetY / HOUR_PX) * 60)
        fillForm(day, minutesToTime(minutes))
      })
      for (const show of state.shows.filter((s) => isoDate(s.starts_at) === day)) column.append(block(show))
      week.append(column)
    }
    return week
  }

  function block(show) {
    const start = timeToMinutes(clock(show.starts_at))
    const end = isoDate(show.ends_at) === isoDate(show.starts_at) ? timeToMinutes(clock(show.ends_at)) : 24 * 60
    const node = el(
      'div',
      'c-show',
      `${clock(show.starts_at)} ${show.movie_title}`,
      el('small', '', `to ${clock(show.ends_at)} · ${show.tickets_sold}/${show.seat_count} sold`),
    )
    node.dataset.showtime = String(show.id)
    if (show.status === 'cancelled') node.classList.add('cancelled')
    else if (!show.selling) node.classList.add('closed')
    if (show.id === state.clashId) node.classList.add('clash')
    if (state.selected && show.id === state.selected.id) node.classList.add('selected')
    node.style.top = `${(start / 60) * HOUR_PX}px`
    node.style.height = `${Math.max(18, ((end - start) / 60) * HOUR_PX)}px`
    node.title = `${show.movie_title} ${clock(show.starts_at)}–${clock(show.ends_at)}`
    if (show.status !== 'cancelled') enableDrag(node, show)
    else node.addEventListener('click', () => select_(show))
    return node
  }

  function select_(show) {
    state.selected = show
    refresh()
  }

  /** Drag a block to another day or time; a plain click selects it. */
  function enableDrag(node, show) {
    node.addEventListener('mousedown', (down) => {
      down.preventDefault()
      const startY = down.clientY
      let moved = false
      let target = null
      const ghost = node.cloneNode(true)
      ghost.classList.add('ghost')
      const onMove = (event) => {
        if (Math.abs(event.clientY - startY) < 4 && !moved) return
        moved = true
        const column = document.elementsFromPoint(event.clientX, event.clientY).find((n) => n.classList?.contains('c-day'))
        if (!column) return
        const top = column.getBoundingClientRect().top
        const offset = event.clientY - top - (startY - node.getBoundingClientRect().top)
        const minutes = Math.min(24 * 60 - SNAP_MIN, Math.max(0, snap((offset / HOUR_PX) * 60)))
        target = { date: column.dataset.date, time: minutesToTime(minutes) }
        ghost.style.top = `${(minutes / 60) * HOUR_PX}px`
        ghost.firstChild.textContent = `${target.time} ${show.movie_title}`
        column.append(ghost)
      }
      const onUp = async () => {
        document.removeEventListener('mousemove', onMove)
        document.removeEventListener('mouseup', onUp)
        ghost.remove()
        if (!moved || !target) {
          select_(show)
          return
        }
        await move(show, target.date, target.time)
      }
      document.addEventListener('mousemove', onMove)
      document.addEventListener('mouseup', onUp)
    })
  }

  async function move(show, date, time) {
    try {
      await api(`/api/v1/staff/showtimes/${show.id}`, {
        method: 'PATCH',
        body: { starts_at: cinemaTime(zone, date, time) },
      })
      state.clashId = null
      say(`Moved ${show.movie_title} to ${date} ${time}.`, false)
    } catch (err) {
      explainError(err)
    }
    await refresh()
  }

  // ----------------------------------------------------------------------------------- add form

  const form = el('form', 'c-form c-card')
  form.id = 'add-showtime'

  function fillForm(date, time) {
    form.elements.date.value = date
    form.elements.time.value = time
    form.elements.movie.focus()
  }

  function renderForm() {
    const zones = hall().zones
    const previous = form.elements.length
      ? { movie: form.elements.movie.value, date: form.elements.date.value, time: form.elements.time.value }
      : { movie: movies[0] ? movies[0].id : '', date: addDays(todayIn(zone), 1), time: '19:00' }
    form.replaceChildren(
      el('h2', '', `Add a screening to ${hall().name}`),
      field('Movie', select('movie', movies.map((m) => [m.id, `${m.title} (${m.duration_min} min)`]), previous.movie)),
      field('Date', input('date', { type: 'date', value: previous.date, required: '' })),
      field('Starts', input('time', { type: 'time', value: previous.time, step: '300', required: '' })),
      field('Language', input('language', { value: '' })),
      field('Format', select('format', [['2D', '2D'], ['3D', '3D'], ['IMAX', 'IMAX']], '2D')),
      ...zones.map((z) => field(`Price ${z} (¥)`, input(`price-${z}`, { type: 'number', value: '45', min: '0.01', step: '0.01', required: '' }))),
      field('Sales', select('sales', [['open', 'open now'], ['closed', 'closed for now']], 'open')),
      el('button', 'c-primary', 'Add screening'),
    )
    form.querySelector('button.c-primary').type = 'submit'
    return form
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const f = form.elements
    const prices = {}
    for (const z of hall().zones) prices[z] = Math.round(Number(f[`price-${z}`].value) * 100)
    try {
      const created = await api('/api/v1/staff/showtimes', {
        method: 'POST',
        body: {
          hall_id: state.hallId,
          movie_id: Number(f.movie.value),
          starts_at: cinemaTime(zone, f.date.value, f.time.value),
          language: f.language.value,
          format: f.format.value,
          prices,
          sales_open: f.sales.value === 'open',
        },
      })
      state.clashId = null
      say(`Added ${created.movie_title} on ${isoDate(created.starts_at)} at ${clock(created.starts_at)}.`, false)
      if (f.date.value < state.weekStart || f.date.value > addDays(state.weekStart, 6)) state.weekStart = f.date.value
      state.selected = created
    } catch (err) {
      explainError(err)
    }
    await refresh()
  })

  // ---------------------------------------------------------------------------- selected panel

  function renderSelected(show) {
    const card = el('div', 'c-card c-form')
    card.id = 'selected-showtime'
    card.append(
      el('h2', '', `#${show.id} ${show.movie_title}`),
      el('p', '', `${isoDate(show.starts_at)} ${clock(show.starts_at)}–${clock(show.ends_at)} · ${show.hall_name}`),
      el('p', '', `${show.tickets_sold} of ${show.seat_count} seats sold · ${show.status}` +
        (show.status === 'scheduled' ? ` · ${show.selling ? 'selling' : 'not selling'}` : '')),
    )
    const live = el('a', '', 'Open the live seat map')
    live.href = `#live/${show.id}`
    card.append(live)
    if (show.status === 'cancelled') return card

    const date = input('move-date', { type: 'date', value: isoDate(show.starts_at) })
    const time = input('move-time', { type: 'time', value: clock(show.starts_at), step: '300' })
    card.append(field('Move to', el('span', '', date, ' ', time, ' ', button('Move', () => move(show, date.value, time.value)))))

    const priceInputs = Object.entries(show.prices).map(([z, fen]) => [z, input(`p-${z}`, { type: 'number', value: String(fen / 100), step: '0.01' })])
    for (const [z, node] of priceInputs) card.append(field(`${z} (${yuan(show.prices[z])})`, node))
    card.append(
      button('Save prices', () => patch(show, { prices: Object.fromEntries(priceInputs.map(([z, n]) => [z, Math.round(Number(n.value) * 100)])) }, 'Prices saved.')),
      button(show.sales_open ? 'Close sales' : 'Open sales', () =>
        patch(show, { sales_open: !show.sales_open }, show.sales_open ? 'Sales closed.' : 'Sales opened.'),
      ),
    )
    const reason = input('cancel-reason', { placeholder: 'reason (shown in the audit trail)' })
    card.append(
      field('Cancel', reason),
      button('Cancel screening and refund', async () => {
        if (!reason.value.trim()) {
          say('Give a reason to cancel a screening.')
          return
        }
        try {
          const answer = await api(`/api/v1/staff/showtimes/${show.id}/cancel`, { method: 'POST', body: { reason: reason.value } })
          const failed = answer.failed.length ? `, ${answer.failed.length} refunds failed (cancel again to retry)` : ''
          say(`Cancelled: ${answer.refunded.length} orders refunded${failed}.`, answer.failed.length > 0)
        } catch (err) {
          explainError(err)
        }
        await refresh()
      }, 'c-danger'),
    )
    return card
  }

  async function patch(show, body, done) {
    try {
      await api(`/api/v1/staff/showtimes/${show.id}`, { method: 'PATCH', body })
      say(done, false)
    } catch (err) {
      explainError(err)
    }
    await refresh()
  }

  await refresh()
}

function snap(minutes) {
  return Math.round(minutes / SNAP_MIN) * SNAP_MIN
}

function timeToMinutes(text) {
  const [h, m] = text.split(':').map(Number)
  return h * 60 + m
}

function minutesToTime(minutes) {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
}
