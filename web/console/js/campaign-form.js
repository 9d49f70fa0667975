/**
 * The form for a new coupon campaign (platform admins). Money is typed in yuan and sent in fen;
 * times are the chosen cinema's clock. Whatever the service refuses is shown under the form in
 * its words, and nothing is created.
 */

import { api, describe } from './api.js'
import { addDays, cinemaTime, el, errorLine, fen, field, input, select, todayIn, whole } from './dom.js'

export const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
const FORMATS = ['2D', '3D', 'IMAX', 'IMAX 3D', 'Laser', 'Dolby Cinema', '4DX', 'CINITY']

/** Checkboxes named `name`, one per [value, text]. */
function checks(name, options) {
  const box = el('span', 'c-checks')
  for (const [value, label] of options) {
    const tick = input(name, { type: 'checkbox', value: String(value) })
    box.append(el('label', '', tick, ` ${label}`))
  }
  return box
}

const ticked = (form, name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((node) => node.value)

/** "2026-12-24T18:00" in the cinema's zone -> an aware ISO time. */
function aware(zone, local) {
  const [date, time] = local.split('T')
  return date && time ? cinemaTime(zone, date, time.slice(0, 5)) : null
}

/** The form's values as the service's campaign. */
export function campaignBody(form, zone) {
  const kind = form.kind.value
  const hours = form.hour_from.value === '' && form.hour_until.value === '' ? null : [whole(form.hour_from.value), whole(form.hour_until.value)]
  const distribution = form.distribution.value
  return {
    name: form.name.value.trim(),
    kind,
    value: kind === 'percent' ? whole(form.value.value) : fen(form.value.value),
    cap_fen: kind === 'percent' && form.cap.value.trim() ? fen(form.cap.value) : 0,
    min_spend_fen: form.min_spend.value.trim() ? fen(form.min_spend.value) : 0,
    scope: {
      movie_ids: [...form.movies.selectedOptions].map((option) => Number(option.value)),
      cinema_ids: ticked(form, 'cinema').map(Number),
      formats: ticked(form, 'format'),
      weekdays: ticked(form, 'weekday').map(Number),
      hours,
    },
    valid_from: aware(zone, form.valid_from.value),
    valid_until: aware(zone, form.valid_until.value),
    per_user_limit: whole(form.per_user_limit.value),
    stock: whole(form.stock.value),
    distribution,
    shared_code: distribution === 'shared' ? form.shared_code.value.trim().toUpperCase() : null,
    return_on_refund: form.return_on_refund.checked,
  }
}

/** The new-campaign form (times on the chosen cinema's clock); `made(campaign)` runs after the
 * service created it. */
export function campaignForm(ctx, movies, made) {
  const zone = ctx.cinema.timezone
  const today = todayIn(zone)
  const form = el('form', 'c-card c-campaign-form')
  form.id = 'campaign-form'
  form.noValidate = true // the service checks every field and says what is wrong
  const kind = select('kind', [['amount', 'Amount off (¥)'], ['percent', 'Percent off (%)'], ['voucher', 'Voucher: a seat for (¥)']], 'amount')
  const cap = input('cap', { size: '6', placeholder: 'no cap', inputmode: 'decimal' })
  const capField = field('Cap (¥) ', cap)
  const distribution = select('distribution', [['claim', 'Claimed in the coupon centre'], ['codes', 'Single-use codes'], ['shared', 'One shared code']], 'claim')
  const shared = input('shared_code', { size: '12', placeholder: 'SPRING2027' })
  const sharedField = field('Code ', shared)
  const movieList = select('movies', movies.map((m) => [m.id, m.title]))
  movieList.multiple = true
  movieList.selectedIndex = -1 // a list made single picks its first option: none is the default here
  movieList.size = 4
  const returns = input('return_on_refund', { type: 'checkbox' })
  returns.checked = true
  const problems = errorLine('campaign-form-error')

  const row = (...items) => el('div', 'c-toolbar', ...items)
  form.append(
    el('h3', '', 'New campaign'),
    row(
      field('Name ', input('name', { size: '22', maxlength: '100', placeholder: '周末五元券' })),
      field('Kind ', kind),
      field('Value ', input('value', { size: '6', inputmode: 'decimal', placeholder: '5' })),
      capField,
      field('Minimum spend (¥) ', input('min_spend', { size: '6', inputmode: 'decimal', placeholder: 'none' })),
    ),
    row(
      field(`Valid from (${ctx.cinema.name}’s clock) `, input('valid_from', { type: 'datetime-local', value: `${today}T00:00` })),
      field('until ', input('valid_until', { type: 'datetime-local', value: `${addDays(today, 30)}T23:59` })),
      field('Per user ', input('per_user_limit', { type: 'number', value: '1', min: '1', class: 'c-narrow' })),
      field('Stock ', input('stock', { type: 'number', value: '100', min: '1', class: 'c-narrow' })),
    ),
    el(
      'div',
      'c-scope',
      field('Movies (none picked: all) ', movieList),
      el('div', '', el('div', 'c-muted', 'Cinemas (none ticked: all)'), checks('cinema', ctx.cinemas.map((c) => [c.id, c.name]))),
      el('div', '', el('div', 'c-muted', 'Formats (none: all)'), checks('format', FORMATS.map((f) => [f, f]))),
      el('div', '', el('div', 'c-muted', 'Days (none: every day)'), checks('weekday', WEEKDAY_NAMES.map((d, i) => [i + 1, d]))),
      el(
        'div',
        '',
        el('div', 'c-muted', 'Start hours (empty: all day)'),
        row(
          input('hour_from', { type: 'number', min: '0', max: '23', class: 'c-narrow', placeholder: 'from' }),
          '–',
          input('hour_until', { type: 'number', min: '1', max: '24', class: 'c-narrow', placeholder: 'until' }),
        ),
      ),
    ),
    row(
      field('Handed out ', distribution),
      sharedField,
      el('label', '', returns, ' A refunded order gives the coupon back'),
      el('button', 'c-primary', 'Create campaign'),
    ),
    problems,
  )
  const sync = () => {
    capField.hidden = kind.value !== 'percent'
    sharedField.hidden = distribution.value !== 'shared'
  }
  kind.addEventListener('change', sync)
  distribution.addEventListener('change', sync)
  sync()

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    problems.textContent = ''
    const body = campaignBody(form, zone)
    try {
      const campaign = await api('/api/v1/staff/campaigns', { method: 'POST', body })
      ctx.flash(`Created “${campaign.name}”.`)
      await made(campaign)
    } catch (err) {
      problems.textContent = describe(err)
    }
  })
  return form
}
