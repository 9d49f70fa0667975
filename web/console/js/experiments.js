/**
 * Experiments: the list, a form to define one (platform admins), start and stop, and each one's
 * results per variant: exposures, conversions, the rate with its 95% interval, the difference
 * from the control with its p-value, the payment guardrail and a sample-ratio warning.
 */

import { api, describe } from './api.js'
import { button, el, field, input, select } from './dom.js'

const METRICS = [
  'movie_opened',
  'showtimes_opened',
  'seatmap_opened',
  'seat_picked',
  'hold_asked',
  'order_created',
  'pay_started',
  'hold_granted',
  'order_placed',
  'order_paid',
]

const pct = (value) => (value === null || value === undefined ? '–' : `${(value * 100).toFixed(1)}%`)
const interval = (pair) => (pair ? `${pct(pair[0])} … ${pct(pair[1])}` : '–')
const pValue = (p) => (p === null || p === undefined ? '–' : p < 0.001 ? '< 0.001' : p.toFixed(3))

export async function experimentsView(root, ctx) {
  const list = el('div')
  list.id = 'experiment-list'
  const detail = el('div', 'c-card c-detail')
  detail.id = 'experiment-results'
  detail.hidden = true
  root.append(newForm(), list, detail)
  await refresh()

  async function refresh() {
    const { items } = await api('/api/v1/staff/experiments')
    const head = el('tr', '', ...['Key', 'Name', 'Variants', 'Metric', 'Status', ''].map((h) => el('th', '', h)))
    const rows = items.map((x) => {
      const actions = el('td', '')
      if (x.status === 'draft') actions.append(button('Start', () => move(x, 'start')))
      if (x.status === 'running') actions.append(button('Stop', () => move(x, 'stop'), 'c-danger'))
      actions.append(button('Results', () => results(x.id)))
      return el(
        'tr',
        '',
        el('td', '', x.key),
        el('td', '', x.name),
        el('td', '', x.variants.map((v) => `${v.key} (${v.weight})`).join(', ')),
        el('td', '', `${x.metric_from} → ${x.metric_to}`),
        el('td', '', x.status),
        actions,
      )
    })
    list.replaceChildren(
      items.length
        ? el('table', 'c-table', el('thead', '', head), el('tbody', '', ...rows))
        : el('p', 'c-muted', 'No experiments yet.'),
    )
  }

  async function move(experiment, to) {
    try {
      await api(`/api/v1/staff/experiments/${experiment.id}/${to}`, { method: 'POST' })
      ctx.flash(`${experiment.key}: ${to === 'start' ? 'started' : 'stopped'}`)
      await refresh()
    } catch (err) {
      ctx.flash(describe(err), true)
    }
  }

  async function results(id) {
    let found
    try {
      found = await api(`/api/v1/staff/experiments/${id}/results`)
    } catch (err) {
      ctx.flash(describe(err), true)
      return
    }
    const x = found.experiment
    const guard = Boolean(x.guardrail)
    const heads = ['Variant', 'Exposures', 'Conversions', 'Rate', '95% interval', 'Difference', 'p-value']
    if (guard) heads.push('Payment success')
    const rows = found.variants.map((v, index) => {
      const vs = v.versus_control
      const cells = [
        el('td', '', index === 0 ? `${v.key} (control)` : v.key),
        el('td', 'num', String(v.exposures)),
        el('td', 'num', String(v.conversions)),
        el('td', 'num', pct(v.rate)),
        el('td', 'num', interval(v.interval)),
        el('td', 'num', vs ? `${vs.difference >= 0 ? '+' : ''}${(vs.difference * 100).toFixed(1)} pt` : '–'),
        el('td', 'num', vs ? pValue(vs.p_value) : '–'),
      ]
      if (guard) cells.push(el('td', v.guardrail_worse ? 'num c-bad' : 'num', pct(v.guardrail_rate)))
      return el('tr', '', ...cells)
    })
    const table = el('table', 'c-table', el('thead', '', el('tr', '', ...heads.map((h) => el('th', '', h)))), el('tbody', '', ...rows))
    const parts = [el('h3', '', `${x.name} · ${x.metric_from} → ${x.metric_to}`), table]
    const srm = found.sample_ratio
    if (srm && srm.mismatch) {
      const warning = el('p', 'c-error', `Sample-ratio mismatch (χ² ${srm.chi_square.toFixed(1)}, p ${pValue(srm.p_value)}): exposures do not follow the weights, so assignment or logging is broken and these results cannot be trusted.`)
      warning.id = 'srm-warning'
      parts.push(warning)
    } else if (srm) {
      parts.push(el('p', 'c-muted', `Split as weighted (sample-ratio check p ${pValue(srm.p_value)}).`))
    }
    if (found.variants.some((v) => v.guardrail_worse)) {
      parts.push(el('p', 'c-error', 'Guardrail: payment success is significantly lower than the control’s.'))
    }
    detail.replaceChildren(...parts)
    detail.hidden = false
  }

  function newForm() {
    const form = el('form', 'c-toolbar')
    form.id = 'experiment-form'
    const key = input('key', { placeholder: 'key, e.g. best_seats_position', size: '22', required: '' })
    const name = input('name', { placeholder: 'name', size: '24', required: '' })
    const variants = input('variants', { placeholder: 'variants: control:1, treatment:1', size: '26', required: '' })
    const from = select('metric_from', METRICS.map((m) => [m, m]), 'seatmap_opened')
    const to = select('metric_to', METRICS.map((m) => [m, m]), 'order_paid')
    const channels = select('channels', [['', 'both channels'], ['miniprogram', 'mini-program'], ['web', 'web']], '')
    const signedIn = select('signed_in', [['false', 'everyone'], ['true', 'signed in only']], 'false')
    const guardrail = select('guardrail', [['payment_success', 'guardrail: payment success'], ['', 'no guardrail']], 'payment_success')
    form.append(key, name, variants, field('from ', from), field('to ', to), channels, signedIn, guardrail, el('button', 'c-primary', 'Define'))
    form.addEventListener('submit', async (event) => {
      event.preventDefault()
      const body = {
        key: key.value.trim(),
        name: name.value.trim(),
        variants: variants.value.split(',').map((part) => {
          const [k, w] = part.split(':').map((s) => s.trim())
          return { key: k, weight: Number(w || 1) }
        }),
        channels: channels.value ? [channels.value] : [],
        signed_in: signedIn.value === 'true',
        metric_from: from.value,
        metric_to: to.value,
        guardrail: guardrail.value,
      }
      try {
        await api('/api/v1/staff/experiments', { method: 'POST', body })
        form.reset()
        from.value = 'seatmap_opened' // reset() would leave the first option of each list
        to.value = 'order_paid'
        ctx.flash(`${body.key}: defined (a draft; start it when ready)`)
        await refresh()
      } catch (err) {
        ctx.flash(describe(err), true)
      }
    })
    return form
  }
}
