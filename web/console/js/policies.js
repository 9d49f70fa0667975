/**
 * Refund and exchange policy (`#policies`) of the chosen cinema: the refund fee tiers by time
 * before the start (each tier lasts until so long before; after the last one, no refund),
 * whether premieres refuse refunds, and the exchange (改签) cut-off, fee per seat and whether an
 * exchange may move to another cinema. Cinema staff set their own cinemas' policies.
 */

import { api, describe } from './api.js'
import { button, el, errorLine, fen, field, input, select, table, whole, yuanDigits } from './dom.js'

/** 1440 -> "24 h", 90 -> "90 min", 0 -> "the start". */
export function before(minutes) {
  if (minutes === 0) return 'the start'
  return minutes % 60 === 0 ? `${minutes / 60} h before` : `${minutes} min before`
}

/** The tiers in one sentence, as a moviegoer would read them. */
export function policyWords(tiers) {
  if (!tiers.length) return 'No refunds at all.'
  const sorted = [...tiers].sort((a, b) => b.until_before_min - a.until_before_min)
  const parts = sorted.map((t) => `${t.fee_percent ? `${t.fee_percent}% fee` : 'free'} until ${before(t.until_before_min)}`)
  const last = sorted.at(-1).until_before_min
  return `${parts.join(', ')}${last ? ', no refund after that' : ''}.`
}

export async function policiesView(root, ctx) {
  const cinema = ctx.cinema
  const path = `/api/v1/staff/cinemas/${cinema.id}/refund-policy`
  const policy = await api(path)
  const rows = el('tbody')
  const words = el('p', 'c-policy-words')
  words.id = 'policy-words'
  const problems = errorLine('policy-error')

  function tierRow(tier) {
    const hours = tier.until_before_min % 60 === 0
    const amount = input('amount', { type: 'number', min: '0', value: hours ? tier.until_before_min / 60 : tier.until_before_min, class: 'c-narrow' })
    const unit = select('unit', [['60', 'hours'], ['1', 'minutes']], hours ? '60' : '1')
    const percent = input('fee_percent', { type: 'number', min: '0', max: '100', value: tier.fee_percent, class: 'c-narrow' })
    const row = el(
      'tr',
      '',
      el('td', '', amount, ' ', unit, ' before the start'),
      el('td', '', percent, ' %'),
      el('td', '', button('Remove', () => {
        row.remove()
        explain()
      }, 'c-danger')),
    )
    row.addEventListener('input', explain)
    return row
  }

  function readTiers() {
    return [...rows.querySelectorAll('tr')].map((row) => {
      const amount = whole(row.querySelector('[name=amount]').value)
      return {
        until_before_min: amount * Number(row.querySelector('[name=unit]').value),
        fee_percent: whole(row.querySelector('[name=fee_percent]').value),
      }
    })
  }

  function explain() {
    const tiers = readTiers()
    words.textContent = tiers.every((t) => Number.isInteger(t.until_before_min) && Number.isInteger(t.fee_percent))
      ? policyWords(tiers)
      : ''
  }

  const cutoff = input('exchange_until_before_min', { type: 'number', min: '0', value: policy.exchange_until_before_min, class: 'c-narrow' })
  const fee = input('exchange_fee', { value: yuanDigits(policy.exchange_fee_fen), size: '6', inputmode: 'decimal' })
  const others = input('exchange_other_cinemas', { type: 'checkbox' })
  others.checked = policy.exchange_other_cinemas
  const premieres = input('refuse_premieres', { type: 'checkbox' })
  premieres.checked = policy.refuse_premieres

  async function save() {
    problems.textContent = ''
    ctx.flash('')
    const body = {
      tiers: readTiers(),
      refuse_premieres: premieres.checked,
      exchange_until_before_min: whole(cutoff.value),
      exchange_fee_fen: fen(fee.value),
      exchange_other_cinemas: others.checked,
    }
    try {
      const saved = await api(path, { method: 'PUT', body })
      show(saved)
      ctx.flash(`Saved ${cinema.name}’s refund and exchange policy.`)
    } catch (err) {
      problems.textContent = describe(err)
    }
  }

  function show(found) {
    const sorted = [...found.tiers].sort((a, b) => b.until_before_min - a.until_before_min)
    rows.replaceChildren(...sorted.map(tierRow))
    explain()
    status.textContent = found.custom
      ? 'This cinema’s own policy. Moviegoers see the fee before they confirm a refund.'
      : 'This cinema has the default policy (a full refund until its refund deadline) until you save one.'
  }

  const status = el('p', 'c-muted')
  const grid = table('c-fee-tiers', ['Refund tier lasts until', 'Fee', ''], [])
  grid.querySelector('tbody').replaceWith(rows)
  grid.id = 'fee-tiers'
  const refunds = el(
    'section',
    'c-card',
    el('h3', '', 'Refunds'),
    grid,
    el('div', 'c-toolbar', button('Add tier', () => {
      const last = readTiers().at(-1)
      rows.append(tierRow({ until_before_min: last && last.until_before_min > 30 ? 30 : 0, fee_percent: 20 }))
      explain()
    })),
    words,
    el('label', '', premieres, ' Premieres refuse refunds'),
  )
  const exchanges = el(
    'section',
    'c-card c-form',
    el('h3', '', 'Exchanges (改签)'),
    field('Cut-off', el('span', '', cutoff, ' minutes before the start')),
    field('Fee', el('span', '', fee, ' ¥ a seat')),
    el('label', 'c-check', others, ' To showtimes of other cinemas too'),
  )
  root.append(
    el('h2', '', `Refund and exchange policy · ${cinema.name}`),
    status,
    el('div', 'c-policy', refunds, exchanges),
    el('div', 'c-toolbar', button('Save policy', save, 'c-primary')),
    problems,
  )
  show(policy)
}
