/**
 * Coupon campaigns (`#campaigns`): the list with stock, claims and use; a form for a new one
 * (amount off, percent off with a cap, or a fixed-price voucher; minimum spend; the movies,
 * cinemas, formats, weekdays and hours it covers; validity; per-user limit; stock; how it is
 * handed out); pause and resume; and for a codes campaign, new single-use codes, their CSV and a
 * printable list (loyalty.css prints only that sheet). Campaigns are chain-wide: platform admins
 * change them, other staff read them.
 */

import { api, describe, download, isAdmin, text } from './api.js'
import { campaignForm, WEEKDAY_NAMES } from './campaign-form.js'
import { button, el, errorLine, field, input, localTime, table, yuan } from './dom.js'

/** What the coupon gives, in words: "¥5 off", "20% off, at most ¥10", "a seat for ¥19.9". */
export function terms(c) {
  if (c.kind === 'amount') return `${yuan(c.value)} off`
  if (c.kind === 'percent') return `${c.value}% off${c.cap_fen ? `, at most ${yuan(c.cap_fen)}` : ''}`
  return `a seat for ${yuan(c.value)}`
}

const KIND_NAMES = { amount: 'Amount off', percent: 'Percent off', voucher: 'Voucher (兑换券)' }
const DISTRIBUTION_NAMES = { claim: 'coupon centre', codes: 'single-use codes', shared: 'shared code' }

/** active, paused, not yet open, or ended, as a moviegoer would meet it now. */
export function stateOf(c, now = new Date()) {
  if (c.status !== 'active') return c.status
  if (new Date(c.valid_until) <= now) return 'ended'
  if (new Date(c.valid_from) > now) return 'not yet open'
  return 'active'
}

export async function campaignsView(root, ctx) {
  const admin = isAdmin()
  const when = (iso) => localTime(iso, ctx.cinema.timezone)
  const { items: movies } = await api('/api/v1/staff/movies?limit=100')
  const titles = new Map(movies.map((m) => [m.id, m.title]))
  const list = el('div', 'c-scroll')
  list.id = 'campaign-list'
  const detail = el('section', 'c-card c-detail c-campaign')
  detail.id = 'campaign-detail'
  detail.hidden = true
  const sheet = el('section', 'c-print-sheet')
  sheet.id = 'code-sheet'
  sheet.hidden = true
  root.append(el('h2', '', 'Coupon campaigns'))
  if (admin) {
    root.append(campaignForm(ctx, movies, async (made) => {
      await refresh()
      await open(made.id)
    }))
  } else {
    root.append(el('p', 'c-muted', 'Campaigns are the whole chain’s: a platform admin creates and pauses them.'))
  }
  root.append(el('div', 'c-columns c-campaigns', list, detail), sheet)
  await refresh()

  async function refresh() {
    const { items } = await api('/api/v1/staff/campaigns')
    const rows = items.map((c) => {
      const used = c.redemptions.used || 0
      const claimed = Object.values(c.redemptions).reduce((sum, n) => sum + n, 0)
      const row = el(
        'tr',
        'c-pick',
        el('td', '', el('strong', '', c.name), el('div', 'c-muted', DISTRIBUTION_NAMES[c.distribution] || c.distribution)),
        el('td', '', KIND_NAMES[c.kind] || c.kind),
        el('td', '', terms(c)),
        el('td', 'num', String(c.stock)),
        el('td', 'num', String(c.issued)),
        el('td', 'num', String(claimed)),
        el('td', 'num', String(used)),
        el('td', `c-state c-state-${stateOf(c).replace(/ /g, '-')}`, stateOf(c)),
      )
      row.dataset.campaign = String(c.id)
      row.addEventListener('click', () => open(c.id))
      return row
    })
    const heads = ['Campaign', 'Kind', 'Value', ['Stock', 'num'], ['Issued', 'num'], ['Claimed', 'num'], ['Used', 'num'], 'State']
    list.replaceChildren(items.length ? table('', heads, rows) : el('p', 'c-muted', 'No campaigns yet.'))
  }

  async function open(id) {
    let c
    try {
      c = await api(`/api/v1/staff/campaigns/${id}`)
    } catch (err) {
      ctx.flash(describe(err), true)
      return
    }
    for (const row of list.querySelectorAll('tr[data-campaign]')) row.classList.toggle('active', row.dataset.campaign === String(id))
    const problems = errorLine('campaign-error')
    const scope = c.scope
    const facts = [
      ['Value', terms(c)],
      ['Minimum spend', c.min_spend_fen ? yuan(c.min_spend_fen) : 'none'],
      ['Valid', `${when(c.valid_from)} → ${when(c.valid_until)} (${ctx.cinema.name}’s clock)`],
      ['Movies', scope.movie_ids.length ? scope.movie_ids.map((m) => titles.get(m) || `#${m}`).join(', ') : 'all'],
      ['Cinemas', scope.cinema_ids.length ? scope.cinema_ids.map(cinemaName).join(', ') : 'all'],
      ['Formats', scope.formats.length ? scope.formats.join(', ') : 'all'],
      ['Days', scope.weekdays.length ? scope.weekdays.map((d) => WEEKDAY_NAMES[d - 1]).join(' ') : 'every day'],
      ['Hours', scope.hours ? `${scope.hours[0]}:00 – ${scope.hours[1]}:00` : 'all day'],
      ['Per user', String(c.per_user_limit)],
      ['Stock', `${c.stock} (${c.left} left to hand out)`],
      ['Coupons', Object.entries(c.redemptions).map(([state, n]) => `${n} ${state}`).join(', ') || 'none yet'],
      ['Handed out', c.distribution === 'shared' ? `shared code ${c.shared_code}` : DISTRIBUTION_NAMES[c.distribution]],
      ['On refund', c.return_on_refund ? 'the coupon comes back' : 'the coupon is spent'],
    ]
    const dl = el('dl')
    for (const [name, value] of facts) dl.append(el('dt', '', name), el('dd', '', value))
    const actions = el('div', 'c-toolbar')
    if (admin && c.status === 'active') actions.append(button('Pause', () => move(c, 'pause'), 'c-danger'))
    if (admin && c.status === 'paused') actions.append(button('Resume', () => move(c, 'resume'), 'c-primary'))
    detail.replaceChildren(el('h2', '', `${c.name} · ${stateOf(c)}`), dl, actions)
    if (admin && c.distribution === 'codes') detail.append(codesPanel(c, problems))
    detail.append(problems)
    detail.hidden = false
    sheet.hidden = true
  }

  async function move(c, to) {
    try {
      await api(`/api/v1/staff/campaigns/${c.id}/${to}`, { method: 'POST' })
      ctx.flash(`${c.name}: ${to === 'pause' ? 'paused' : 'resumed'}`)
      await refresh()
      await open(c.id)
    } catch (err) {
      ctx.flash(describe(err), true)
    }
  }

  function codesPanel(c, problems) {
    const count = input('count', { type: 'number', value: '20', min: '1', max: '10000', class: 'c-narrow' })
    const form = el('form', 'c-toolbar')
    form.id = 'code-form'
    form.noValidate = true
    form.append(
      field('Codes ', count),
      el('button', 'c-primary', 'Generate'),
      button('Download CSV', () => download(`/api/v1/staff/campaigns/${c.id}/codes.csv`, `campaign-${c.id}-codes.csv`).catch((err) => (problems.textContent = describe(err)))),
      button('Printable list', () => printable(c).catch((err) => (problems.textContent = describe(err)))),
    )
    form.addEventListener('submit', async (event) => {
      event.preventDefault()
      problems.textContent = ''
      try {
        const made = await api(`/api/v1/staff/campaigns/${c.id}/codes`, { method: 'POST', body: { count: Number(count.value) } })
        ctx.flash(`${made.codes.length} new codes for ${c.name}.`)
        await refresh()
        await open(c.id)
      } catch (err) {
        problems.textContent = describe(err)
      }
    })
    return el('div', '', el('h3', '', 'Single-use codes'), form)
  }

  /** The codes as a sheet to print: one card per code, what it gives and until when. */
  async function printable(c) {
    const csv = await text(`/api/v1/staff/campaigns/${c.id}/codes.csv`)
    const codes = csv
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((line) => line.split(','))
      .filter(([code]) => code)
    const cards = codes.map(([code, redeemed]) =>
      el('li', redeemed === 'yes' ? 'c-code used' : 'c-code', el('strong', '', code), el('span', '', terms(c)), el('small', '', `until ${when(c.valid_until)}`)),
    )
    sheet.replaceChildren(
      el('div', 'c-toolbar c-no-print', button('Print', () => window.print(), 'c-primary'), button('Close', () => (sheet.hidden = true))),
      el('h2', '', `${c.name} · ${terms(c)}`),
      el('p', 'c-muted', `${codes.length} codes · valid ${when(c.valid_from)} → ${when(c.valid_until)}${c.min_spend_fen ? ` · on orders of ${yuan(c.min_spend_fen)} or more` : ''} · each works once`),
      el('ol', 'c-codes', ...cards),
    )
    sheet.hidden = false
    sheet.scrollIntoView()
  }

  function cinemaName(id) {
    const found = ctx.cinemas.find((cinema) => cinema.id === id)
    return found ? found.name : `#${id}`
  }
}
