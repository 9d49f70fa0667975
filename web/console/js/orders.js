/**
 * Order look-up: search by order id, phone, openid, showtime or the day it was placed; an
 * order's tickets, payments, refunds and audit trail; a refund with a reason.
 */

import { api, describe } from './api.js'
import { button, clock, el, field, input, isoDate, yuan } from './dom.js'

export async function ordersView(root, ctx) {
  const form = el('form', 'c-toolbar')
  form.id = 'order-search'
  const inputs = {
    order_id: input('order_id', { placeholder: 'order id', size: '18' }),
    phone: input('phone', { placeholder: 'phone', size: '12' }),
    openid: input('openid', { placeholder: 'openid', size: '14' }),
    showtime_id: input('showtime_id', { type: 'number', placeholder: 'showtime', min: '1', style: 'width:7em' }),
    date: input('date', { type: 'date' }),
  }
  form.append(...Object.values(inputs), el('button', 'c-primary', 'Search'))
  const results = el('div')
  const detail = el('div', 'c-card c-detail')
  detail.id = 'order-detail'
  detail.hidden = true
  root.append(form, el('div', 'c-columns', results, detail))
  let next = null
  let items = []

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    items = []
    search(null).catch((err) => ctx.flash(describe(err), true))
  })

  async function search(cursor) {
    const params = new URLSearchParams({ cinema_id: String(ctx.cinema.id), limit: '25' })
    for (const [name, node] of Object.entries(inputs)) if (node.value.trim()) params.set(name, node.value.trim())
    if (cursor) params.set('cursor', cursor)
    const page = await api(`/api/v1/staff/orders?${params}`)
    items = items.concat(page.items)
    next = page.next_cursor
    render()
  }

  /** An order of snacks alone is "ticketed" once landed: to the counter it is paid. */
  function statusOf(o) {
    return o.kind === 'snacks' && o.status === 'ticketed' ? 'paid' : o.status
  }

  /** What the order bought: its showtime, or snacks alone at a cinema. */
  function bought(o) {
    if (o.kind === 'snacks') return `Snacks alone · ${o.cinema_name}`
    return `#${o.showtime_id} ${o.movie_title} ${isoDate(o.starts_at)} ${clock(o.starts_at)}`
  }

  function render() {
    const head = el('tr', '', ...['Order', 'Placed', 'Bought', 'Buyer', 'Status', 'Amount'].map((h, i) => el('th', i === 5 ? 'num' : '', h)))
    const rows = items.map((o) => {
      const row = el(
        'tr',
        'c-pick',
        el('td', '', o.id),
        el('td', '', `${isoDate(o.created_at)} ${clock(o.created_at)}`),
        el('td', '', bought(o)),
        el('td', '', o.phone || o.openid),
        el('td', '', statusOf(o)),
        el('td', 'num', yuan(o.amount_fen)),
      )
      row.addEventListener('click', () => open(o.id).catch((err) => ctx.flash(describe(err), true)))
      return row
    })
    const table = el('table', 'c-table', el('thead', '', head), el('tbody', '', ...rows))
    table.id = 'order-results'
    results.replaceChildren(items.length ? table : el('p', '', 'No orders match.'))
    if (next) results.append(button('More', () => search(next).catch((err) => ctx.flash(describe(err), true))))
  }

  async function open(orderId) {
    const order = await api(`/api/v1/staff/orders/${encodeURIComponent(orderId)}`)
    const facts = [
      ['Status', statusOf(order)],
      ['Amount', yuan(order.amount_fen)],
      order.kind === 'snacks'
        ? ['Snacks alone', `${order.cinema_name}, pickup code ${order.pickup_code || '—'}`]
        : ['Showtime', `#${order.showtime_id} ${order.movie_title}, ${order.hall_name}, ${isoDate(order.starts_at)} ${clock(order.starts_at)}`],
      ['Buyer', `${order.nickname || '—'} · ${order.phone || 'no phone'} · ${order.openid}`],
      ['Placed', `${isoDate(order.created_at)} ${clock(order.created_at)}`],
      ['Paid', order.paid_at ? `${isoDate(order.paid_at)} ${clock(order.paid_at)}` : 'not paid'],
    ]
    const list = el('dl')
    for (const [term, text] of facts) list.append(el('dt', '', term), el('dd', '', text))
    const tickets = el('ul', '', ...order.tickets.map((t) => el('li', '', `${t.seat_id} ${yuan(t.price_fen)} ${t.code}${t.live ? '' : ' (not live)'}`)))
    const picked = order.picked_up_at ? `picked up ${isoDate(order.picked_up_at)} ${clock(order.picked_up_at)}` : 'not picked up'
    const snacks = el('ul', '', ...order.snacks.map((s) => el('li', '', `${s.name} × ${s.qty} ${yuan(s.price_fen * s.qty)}`)))
    snacks.id = 'order-snacks'

    const money = (events) =>
      events.length
        ? el('ul', '', ...events.map((m) => el('li', '', `${yuan(m.amount_fen)} ${m.status} · ${m.by}${m.reason ? ` · ${m.reason}` : ''} · ${isoDate(m.created_at)} ${clock(m.created_at)}`)))
        : el('p', '', 'none')
    const trail = order.audit.length
      ? el('ul', '', ...order.audit.map((a) => el('li', '', `${a.at.slice(0, 16).replace('T', ' ')} UTC ${a.actor}: ${a.action}${a.details.reason ? ` (${a.details.reason})` : ''}`)))
      : el('p', '', 'no staff action yet')
    const reason = input('refund-reason', { placeholder: 'reason for the refund', size: '30' })
    const outcome = el('p', 'c-error', '')
    outcome.setAttribute('role', 'alert')
    const refund = button('Refund in full', async () => {
      if (!reason.value.trim()) {
        outcome.textContent = 'Give a reason: it is kept in the audit trail.'
        return
      }
      try {
        await api(`/api/v1/staff/orders/${encodeURIComponent(order.id)}/refund`, { method: 'POST', body: { reason: reason.value.trim() } })
        ctx.flash(`Refund of ${order.id} started.`)
        await open(order.id)
      } catch (err) {
        outcome.textContent = describe(err)
      }
    }, 'c-danger')
    detail.replaceChildren(
      el('h2', '', `Order ${order.id}`),
      list,
      ...(order.kind === 'snacks' ? [] : [el('h3', '', 'Tickets'), tickets]),
      ...(order.snacks.length ? [el('h3', '', `Snacks (${picked})`), snacks] : []),
      el('h3', '', 'Payments'),
      money(order.payments),
      el('h3', '', 'Refunds'),
      money(order.refunds),
      el('h3', '', 'Audit trail'),
      trail,
    )
    if (['paid', 'ticketed'].includes(order.status)) detail.append(el('h3', '', 'Refund'), field('', reason), refund, outcome)
    detail.hidden = false
  }

  if (ctx.arg) {
    inputs.order_id.value = ctx.arg
    await open(ctx.arg)
  }
}
