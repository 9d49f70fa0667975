/**
 * Member tiers (`#tiers`): the chain's tiers in one editable table. Each tier has a name, the
 * spend over 12 months that reaches it (yuan here, fen to the service), its member price (a
 * discount on every seat, or a fixed price per zone), its monthly free exchanges and refunds and
 * how many hours early its members may book premieres. Tiers are chain-wide: only a platform
 * admin saves them (the service says so too); the service's refusal shows under the table.
 */

import { api, describe, isAdmin } from './api.js'
import { button, el, errorLine, fen, input, table, yuanDigits } from './dom.js'

const HEADS = [
  'Level',
  'Name',
  ['Spend from (¥, 12 months)', 'num'],
  ['Discount %', 'num'],
  'Member price per zone (¥)',
  ['Free exchanges / month', 'num'],
  ['Free refunds / month', 'num'],
  ['Early booking (h)', 'num'],
  '',
]

/** {standard: 3500, vip: 5000} -> "standard 35, vip 50". */
export function zonePricesText(prices) {
  return Object.entries(prices || {})
    .map(([zone, price]) => `${zone} ${yuanDigits(price)}`)
    .join(', ')
}

/** "standard 35, vip: 50" -> {standard: 3500, vip: 5000}; a price that is not yuan is sent as null. */
export function zonePrices(text) {
  const prices = {}
  for (const part of text.split(/[,，;；]/)) {
    const match = /^\s*([^\s:=：]+)\s*[:=：]?\s*(\S*)\s*$/.exec(part)
    if (match && match[1]) prices[match[1]] = fen(match[2])
  }
  return prices
}

export async function tiersView(root, ctx) {
  const admin = isAdmin()
  const rows = el('tbody')
  const problems = errorLine('tiers-error')
  const { items } = await api('/api/v1/member-tiers')

  function tierRow(tier) {
    const number = (name, value, attrs = {}) => input(name, { type: 'number', value, min: '0', ...attrs })
    const row = el(
      'tr',
      'c-tier',
      el('td', 'c-level', ''),
      el('td', '', input('name', { value: tier.name, maxlength: '50', size: '10' })),
      el('td', 'num', input('threshold', { value: yuanDigits(tier.threshold_fen), size: '8', inputmode: 'decimal' })),
      el('td', 'num', number('discount_percent', tier.discount_percent, { max: '100', class: 'c-narrow' })),
      el('td', '', input('zone_prices', { value: zonePricesText(tier.zone_prices), size: '24', placeholder: 'none: the discount' })),
      el('td', 'num', number('free_exchanges_per_month', tier.free_exchanges_per_month, { class: 'c-narrow' })),
      el('td', 'num', number('free_refunds_per_month', tier.free_refunds_per_month, { class: 'c-narrow' })),
      el('td', 'num', number('early_booking_hours', tier.early_booking_hours, { class: 'c-narrow' })),
      el('td', '', admin ? button('Remove', () => {
        row.remove()
        renumber()
      }, 'c-danger') : ''),
    )
    return row
  }

  function renumber() {
    rows.querySelectorAll('tr').forEach((row, index) => {
      row.querySelector('.c-level').textContent = `V${index + 1}`
    })
  }

  /** The table as the service's tiers: levels follow the rows' order. */
  function read() {
    return [...rows.querySelectorAll('tr')].map((row, index) => {
      const value = (name) => row.querySelector(`[name=${name}]`).value
      const count = (name) => (value(name) === '' ? NaN : Number(value(name)))
      return {
        level: index + 1,
        name: value('name').trim(),
        threshold_fen: fen(value('threshold')),
        discount_percent: count('discount_percent'),
        zone_prices: zonePrices(value('zone_prices')),
        free_exchanges_per_month: count('free_exchanges_per_month'),
        free_refunds_per_month: count('free_refunds_per_month'),
        early_booking_hours: count('early_booking_hours'),
      }
    })
  }

  function show(tiers) {
    rows.replaceChildren(...tiers.map(tierRow))
    renumber()
  }

  async function save() {
    problems.textContent = ''
    ctx.flash('')
    try {
      const saved = await api('/api/v1/staff/member-tiers', { method: 'PUT', body: { items: read() } })
      show(saved.items)
      ctx.flash(`Saved ${saved.items.length} tiers: members move to the tier their spend reaches.`)
    } catch (err) {
      problems.textContent = describe(err)
    }
  }

  const grid = table('c-tiers', HEADS, [])
  grid.querySelector('tbody').replaceWith(rows)
  grid.id = 'tier-table'
  show(items)
  const actions = el('div', 'c-toolbar')
  if (admin) {
    actions.append(
      button('Add tier', () => {
        const last = read().at(-1)
        rows.append(tierRow({ ...last, name: `V${rows.children.length + 1}`, threshold_fen: (last ? last.threshold_fen || 0 : 0) + 100000 }))
        renumber()
      }),
      button('Save tiers', save, 'c-primary'),
    )
  } else {
    for (const control of grid.querySelectorAll('input')) control.disabled = true
    actions.append(el('span', 'c-muted', 'Tiers are the whole chain’s: a platform admin changes them.'))
  }
  root.append(
    el('h2', '', 'Member tiers'),
    el(
      'p',
      'c-muted',
      'A member’s tier follows their spend over the last 12 months. Member price: a discount off every seat, or a fixed price for the zones listed (a showtime may override it).',
    ),
    el('div', 'c-scroll', grid),
    actions,
    problems,
  )
}
