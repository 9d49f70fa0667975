/**
 * Cinemas and halls (`#cinemas`, `#cinemas/ID`): the caller's cinemas with their address, city,
 * map coordinates (what "cinemas near me" measures from) and time zone, and each cinema's halls
 * with a link to the seat-layout editor. Staff edit only their own cinemas (the service answers
 * 404 for others); a platform admin also adds cinemas.
 */

import { api, describe, staffSession } from './api.js'
import { button, el, field, input, select } from './dom.js'

const ZONES = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['Asia/Shanghai']

/** The form's values as the service's fields: an empty coordinate takes the cinema off the map. */
export function cinemaFields(form) {
  const number = (name) => (form[name].value.trim() === '' ? null : Number(form[name].value))
  return {
    name: form.name.value.trim(),
    city: form.city.value.trim(),
    address: form.address.value.trim(),
    timezone: form.timezone.value,
    latitude: number('latitude'),
    longitude: number('longitude'),
    sales_close_before_min: number('sales_close_before_min'),
    refund_until_before_min: number('refund_until_before_min'),
  }
}

export async function cinemasView(root, ctx) {
  const chosen = ctx.arg === 'new' ? null : ctx.cinemas.find((c) => String(c.id) === (ctx.arg || String(ctx.cinema.id)))
  const list = el('table', 'c-table')
  const rows = el('tbody')
  const head = el('tr')
  for (const name of ['Cinema', 'City', 'Address', 'Map', 'Time zone']) head.append(el('th', '', name))
  list.append(el('thead', '', head), rows)
  for (const cinema of ctx.cinemas) {
    const row = el('tr', 'c-pick')
    row.classList.toggle('active', chosen !== undefined && chosen !== null && chosen.id === cinema.id)
    row.append(
      el('td', '', cinema.name),
      el('td', '', cinema.city),
      el('td', '', cinema.address),
      el('td', '', cinema.latitude === null ? 'not on the map' : `${cinema.latitude}, ${cinema.longitude}`),
      el('td', '', cinema.timezone),
    )
    row.addEventListener('click', () => (window.location.hash = `#cinemas/${cinema.id}`))
    rows.append(row)
  }
  const toolbar = el('div', 'c-toolbar', el('h2', '', 'Cinemas'))
  if (staffSession.user && staffSession.user.role === 'admin') {
    toolbar.append(button('New cinema', () => (window.location.hash = '#cinemas/new'), 'c-primary'))
  }
  const layout = el('div', 'c-catalogue', cinemaForm(ctx, chosen))
  if (chosen) layout.append(await hallsCard(ctx, chosen))
  root.append(toolbar, el('div', 'c-scroll', list), layout)
}

function cinemaForm(ctx, cinema) {
  const blank = { name: '', city: '', address: '', timezone: 'Asia/Shanghai', latitude: null, longitude: null }
  const value = cinema || blank
  const form = el('form', 'c-form c-card')
  form.id = 'cinema-form'
  const orEmpty = (v) => (v === null || v === undefined ? '' : String(v))
  form.append(
    el('h2', '', cinema ? cinema.name : 'New cinema'),
    field('Name', input('name', { value: value.name, required: '', maxlength: '200' })),
    field('City', input('city', { value: value.city, required: '', maxlength: '100' })),
    field('Address', input('address', { value: value.address, maxlength: '300' })),
    field('Latitude', input('latitude', { type: 'number', value: orEmpty(value.latitude), min: '-90', max: '90', step: 'any' })),
    field('Longitude', input('longitude', { type: 'number', value: orEmpty(value.longitude), min: '-180', max: '180', step: 'any' })),
    field('Time zone', select('timezone', ZONES.map((zone) => [zone, zone]), value.timezone)),
    field('Sales close', input('sales_close_before_min', { type: 'number', value: orEmpty(value.sales_close_before_min), min: '0', placeholder: 'service default' })),
    field('Refunds until', input('refund_until_before_min', { type: 'number', value: orEmpty(value.refund_until_before_min), min: '0', placeholder: 'service default' })),
    el('p', 'c-muted', 'Coordinates are WGS-84 degrees, as a phone reports them; leave both empty to keep the cinema off the map. Minutes are before a start.'),
  )
  const save = el('button', 'c-primary', cinema ? 'Save' : 'Add cinema')
  save.type = 'submit'
  form.append(el('div', 'c-toolbar', save))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    try {
      const saved = await api(cinema ? `/api/v1/staff/cinemas/${cinema.id}` : '/api/v1/staff/cinemas', {
        method: cinema ? 'PATCH' : 'POST',
        body: cinemaFields(form),
      })
      remember(ctx, saved)
      // The shell clears the flash on every route: say it once the page is drawn again.
      const said = cinema ? 'Saved.' : `Added ${saved.name}: now add its halls.`
      window.addEventListener('hashchange', () => ctx.flash(said), { once: true })
      if (cinema) window.dispatchEvent(new HashChangeEvent('hashchange'))
      else window.location.hash = `#cinemas/${saved.id}`
    } catch (err) {
      ctx.flash(describe(err), true)
    }
  })
  return form
}

/** Keep the shell's cinema list and picker in step with a saved cinema. */
function remember(ctx, saved) {
  const index = ctx.cinemas.findIndex((c) => c.id === saved.id)
  if (index >= 0) ctx.cinemas[index] = saved
  else ctx.cinemas.push(saved)
  if (ctx.cinema && ctx.cinema.id === saved.id) ctx.cinema = saved
  const picker = document.querySelector('#cinema-select')
  let option = [...picker.options].find((o) => o.value === String(saved.id))
  if (!option) {
    option = new Option('', String(saved.id))
    picker.append(option)
  }
  option.textContent = `${saved.name} (${saved.city})`
}

async function hallsCard(ctx, cinema) {
  const card = el('section', 'c-card')
  card.id = 'cinema-halls'
  card.append(el('h2', '', 'Halls'))
  let halls = []
  try {
    halls = (await api(`/api/v1/staff/cinemas/${cinema.id}/halls`)).items
  } catch (err) {
    card.append(el('p', 'c-error', describe(err)))
    return card
  }
  const table = el('table', 'c-table')
  const body = el('tbody')
  for (const hall of halls) {
    const edit = button('Edit layout', () => openLayout(ctx, cinema, hall.id))
    body.append(el('tr', '', el('td', '', hall.name), el('td', 'num', hall.seat_count), el('td', '', hall.zones.join(', ')), el('td', '', edit)))
  }
  const head = el('tr', '', el('th', '', 'Hall'), el('th', 'num', 'Seats'), el('th', '', 'Zones'), el('th', '', ''))
  table.append(el('thead', '', head), body)
  card.append(halls.length ? table : el('p', 'c-muted', 'No halls yet.'))
  card.append(button('New hall', () => openLayout(ctx, cinema, 'new')))
  return card
}

/** The layout editor works on the picked cinema: pick this one, then open the hall. */
function openLayout(ctx, cinema, hallId) {
  window.location.hash = `#layouts/${hallId}`
  const picker = document.querySelector('#cinema-select')
  if (picker.value !== String(cinema.id)) {
    picker.value = String(cinema.id)
    picker.dispatchEvent(new Event('change'))
  }
}
