/**
 * The snack counter: the moviegoer shows a pickup code or its QR; staff type the code (or a
 * handheld scanner types the QR's text and Enter), and the page answers big: green with the
 * snacks to hand over, or red with the reason (picked up already and when, refunded, not paid).
 * The service marks an order picked up once, however many counters try at the same moment.
 */

import { ApiError, api, describe } from './api.js'
import { button, el, input } from './dom.js'

const GOOD = '#1f8a4c'
const BAD = '#c8323e'

export async function counterView(root, ctx) {
  const code = input('pickup', { placeholder: 'pickup code, e.g. K7Q2M9HX, or scan the QR', autocomplete: 'off' })
  code.id = 'pickup-code'
  code.style.fontSize = '28px'
  code.style.width = '22em'
  code.style.letterSpacing = '0.1em'
  const answer = el('div', 'c-card')
  answer.id = 'pickup-answer'
  answer.hidden = true
  const form = el('form', 'c-toolbar', code, button('Hand over', () => form.requestSubmit(), 'c-primary'))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const text = code.value.trim()
    if (!text) return
    const body = text.startsWith('SC1.') ? { qr: text } : { code: text }
    try {
      show(answer, true, await api('/api/v1/staff/snack-pickups', { method: 'POST', body }))
    } catch (err) {
      show(answer, false, null, err)
    }
    code.value = ''
    code.focus()
  })
  root.append(el('h2', '', `Snack counter · ${ctx.cinema.name}`), form, answer)
  code.focus()
}

function show(box, ok, pickup, err) {
  box.hidden = false
  box.style.borderLeft = `16px solid ${ok ? GOOD : BAD}`
  box.style.padding = '20px 28px'
  const title = el('div', '', ok ? 'Hand over' : refusal(err))
  title.style.fontSize = '40px'
  title.style.fontWeight = '700'
  title.style.color = ok ? GOOD : BAD
  box.dataset.outcome = ok ? 'handed-over' : (err instanceof ApiError ? err.code : 'error')
  const lines = el('ul')
  lines.style.fontSize = '30px'
  lines.style.lineHeight = '1.5'
  if (ok) {
    for (const snack of pickup.snacks) lines.append(el('li', '', `${snack.name} × ${snack.qty}`))
  }
  const note = el('p', 'c-muted', ok ? `code ${pickup.code} · order ${pickup.order_id}` : describe(err))
  box.replaceChildren(title, lines, note)
}

function refusal(err) {
  if (!(err instanceof ApiError)) return 'No answer'
  if (err.code === 'already_picked_up') {
    const when = /T(\d{2}:\d{2})/.exec(err.details.picked_up_at || '')
    return `Already picked up${when ? ` at ${when[1]}` : ''}`
  }
  if (err.code === 'order_refunded') return 'Refunded: nothing to hand over'
  if (err.code === 'order_not_paid') return 'Not paid'
  if (err.code === 'not_found') return 'Unknown code'
  return 'Refused'
}
