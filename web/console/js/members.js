/**
 * Member look-up (`#members`, `#members/ID`): find a member by user id, phone or part of the
 * nickname; see their tier, spend over 12 months, progress to the next tier, the tier's monthly
 * free exchanges and refunds, their points with the latest ledger lines, and their coupons; and
 * adjust their points by hand with a reason (the service keeps it in the ledger and the audit
 * trail). Platform admins only, as the service says.
 */

import { api, describe } from './api.js'
import { button, el, errorLine, field, input, isoDate, localTime, table, yuan } from './dom.js'
import { terms } from './campaigns.js'

const KIND_WORDS = { earn: 'earned', reserve: 'reserved', return: 'returned', reverse: 'reversed', expire: 'expired', adjust: 'adjusted' }

export async function membersView(root, ctx) {
  const when = (iso) => localTime(iso, ctx.cinema.timezone)
  let found = []
  const form = el('form', 'c-toolbar')
  form.id = 'member-search'
  form.noValidate = true // an empty search is the service's to refuse
  const q = input('q', { type: 'search', placeholder: 'user id, phone or nickname', size: '28' })
  form.append(q, el('button', 'c-primary', 'Find'))
  const problems = errorLine('member-error')
  const results = el('div', 'c-scroll')
  results.id = 'member-results'
  const detail = el('section', 'c-card c-detail c-member')
  detail.id = 'member-detail'
  detail.hidden = true
  root.append(el('h2', '', 'Members'), form, problems, el('div', 'c-columns c-members', results, detail))

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const items = await search()
    if (items && items.length === 1) window.location.hash = `#members/${items[0].user_id}`
  })

  /** The members matching the box, listed; null when the service refused. */
  async function search() {
    problems.textContent = ''
    try {
      const { items } = await api(`/api/v1/staff/members?${new URLSearchParams({ q: q.value.trim() })}`)
      found = items
      const rows = items.map((m) => {
        const row = el(
          'tr',
          'c-pick',
          el('td', 'num', String(m.user_id)),
          el('td', '', m.nickname || '–'),
          el('td', '', m.tier_name),
          el('td', 'num', yuan(m.spend_12m_fen)),
          el('td', 'num', String(m.points)),
        )
        row.dataset.member = String(m.user_id)
        if (String(m.user_id) === ctx.arg) row.classList.add('active')
        row.addEventListener('click', () => (window.location.hash = `#members/${m.user_id}`))
        return row
      })
      const heads = [['User', 'num'], 'Nickname', 'Tier', ['Spend, 12 months', 'num'], ['Points', 'num']]
      results.replaceChildren(rows.length ? table('', heads, rows) : el('p', 'c-muted', 'No member matches.'))
      return items
    } catch (err) {
      problems.textContent = describe(err)
      return null
    }
  }

  if (ctx.arg) {
    q.value = ctx.arg
    if (await search()) await show(Number(ctx.arg))
  }

  async function show(userId) {
    let member
    let coupons
    try {
      ;[member, coupons] = await Promise.all([
        api(`/api/v1/staff/members/${userId}`),
        api(`/api/v1/staff/members/${userId}/coupons`),
      ])
    } catch (err) {
      problems.textContent = describe(err)
      return
    }
    render(member, coupons.items)
  }

  function render(member, coupons) {
    const m = member.membership
    const tier = m.tier
    const facts = [
      ['Member', `#${member.user_id} since ${isoDate(m.joined_at)}`],
      ['Tier', tier ? `${tier.name} (level ${tier.level})` : '–'],
      ['Spend, 12 months', m.progress ? yuan(m.progress.spend_12m_fen) : '–'],
      ['Next tier', m.next_tier ? `${m.next_tier.name}: ${yuan(m.progress.needed_fen)} more (${m.progress.percent}%)` : 'top tier'],
      ['Member price', tier ? memberPrice(tier) : '–'],
      ['Each month', tier ? `${tier.free_exchanges_per_month} free exchanges, ${tier.free_refunds_per_month} free refunds` : '–'],
      ['Early booking', tier && tier.early_booking_hours ? `${tier.early_booking_hours} h before everyone` : 'none'],
      ['Points', String(m.points)],
    ]
    const dl = el('dl')
    for (const [name, value] of facts) dl.append(el('dt', '', name), el('dd', '', value))
    const ledger = member.recent.length
      ? table('c-ledger', ['When', 'What', ['Points', 'num'], 'Order or reason'], member.recent.map((line) =>
          el(
            'tr',
            '',
            el('td', '', when(line.created_at)),
            el('td', '', KIND_WORDS[line.kind] || line.kind),
            el('td', line.points < 0 ? 'num c-minus' : 'num', `${line.points > 0 ? '+' : ''}${line.points}`),
            el('td', '', line.note || line.order_id || ''),
          ),
        ))
      : el('p', 'c-muted', 'No points yet.')
    const wallet = coupons.length
      ? table('c-wallet', ['Coupon', 'Gives', 'State', 'Claimed'], coupons.map((c) =>
          el('tr', '', el('td', '', c.campaign.name), el('td', '', terms(c.campaign)), el('td', '', c.state + (c.order_id ? ` · ${c.order_id}` : '')), el('td', '', when(c.claimed_at))),
        ))
      : el('p', 'c-muted', 'No coupons.')
    const hit = found.find((f) => f.user_id === member.user_id)
    detail.replaceChildren(
      el('h2', '', `Member #${member.user_id}${hit && hit.nickname ? ` · ${hit.nickname}` : ''}`),
      dl,
      adjustForm(member.user_id),
      el('h3', '', 'Latest points'),
      ledger,
      el('h3', '', 'Coupons'),
      wallet,
    )
    detail.hidden = false
  }

  function adjustForm(userId) {
    const adjust = el('form', 'c-toolbar')
    adjust.id = 'points-form'
    adjust.noValidate = true
    const points = input('points', { type: 'number', placeholder: '+100 or -50', step: '1', class: 'c-narrow c-wide-number' })
    const note = input('note', { placeholder: 'reason (kept in the audit trail)', size: '26', maxlength: '200' })
    const said = errorLine('points-error')
    adjust.append(field('Adjust points ', points), note, el('button', 'c-primary', 'Adjust'), said)
    adjust.addEventListener('submit', async (event) => {
      event.preventDefault()
      said.textContent = ''
      const typed = points.value.trim()
      try {
        const member = await api(`/api/v1/staff/members/${userId}/points`, {
          method: 'POST',
          body: { points: /^[-+]?\d+$/.test(typed) ? Number(typed) : null, note: note.value.trim() },
        })
        const coupons = await api(`/api/v1/staff/members/${userId}/coupons`)
        render(member, coupons.items)
        ctx.flash(`Points of member #${userId}: now ${member.membership.points}.`)
      } catch (err) {
        said.textContent = describe(err)
      }
    })
    return adjust
  }
}

/** "10% off" or "vip ¥45, couple ¥80 (else 10% off)". */
function memberPrice(tier) {
  const zones = Object.entries(tier.zone_prices).map(([zone, price]) => `${zone} ${yuan(price)}`)
  const discount = tier.discount_percent ? `${tier.discount_percent}% off` : 'list price'
  return zones.length ? `${zones.join(', ')} (other zones: ${discount})` : discount
}
