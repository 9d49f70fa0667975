/**
 * The snack menu (卖品) of the chosen cinema: items and combos with their pictures, prices, stock
 * and sale switch, in menu order. Stock is "what is left now" (blank: no limit); the service takes
 * it when an order is made and gives it back when the order ends unpaid or is refunded.
 */

import { api, describe, upload } from './api.js'
import { button, el, field, input, select, yuan } from './dom.js'

const KINDS = [['item', 'Item'], ['combo', 'Combo']]

export async function snacksView(root, ctx) {
  const rows = el('tbody')
  const table = el('table', 'c-table c-snacks')
  table.id = 'snack-table'
  table.append(header(['', 'Name', 'Kind', 'Price', 'Stock left', 'On sale', 'Order']), rows)
  const editor = el('div')
  const toolbar = el(
    'div',
    'c-toolbar',
    button('New item', () => edit({ kind: 'item' }), 'c-primary'),
    button('New combo', () => edit({ kind: 'combo', contents: [{ name: '', qty: 1 }, { name: '', qty: 1 }] })),
  )
  root.append(el('h2', '', `Snacks of ${ctx.cinema.name}`), toolbar, table, editor)

  async function load() {
    const menu = await api(`/api/v1/staff/cinemas/${ctx.cinema.id}/snacks`)
    rows.replaceChildren(...menu.items.map((snack) => snackRow(snack, () => edit(snack))))
    if (!menu.items.length) rows.append(el('tr', '', el('td', 'c-muted', 'No snacks yet: add the first one.')))
  }

  function edit(snack) {
    editor.replaceChildren(
      snackForm(ctx, snack, async () => {
        editor.replaceChildren()
        await load()
      }),
    )
    editor.scrollIntoView({ block: 'nearest' })
  }

  await load()
}

function header(names) {
  const row = el('tr')
  for (const name of names) row.append(el('th', '', name))
  return el('thead', '', row)
}

function snackRow(snack, onEdit) {
  const row = el('tr', 'c-pick')
  row.dataset.snack = String(snack.id)
  const thumb = el('img', 'c-thumb')
  thumb.alt = ''
  if (snack.picture_url) thumb.src = snack.picture_url
  thumb.hidden = !snack.picture_url
  const name = el('td', '', el('strong', '', snack.name))
  if (snack.kind === 'combo') name.append(el('div', 'c-muted', contentsText(snack.contents)))
  const left = snack.stock_left === null ? 'no limit' : String(snack.stock_left)
  row.append(
    el('td', '', thumb),
    name,
    el('td', '', snack.kind === 'combo' ? 'Combo' : 'Item'),
    el('td', 'num', yuan(snack.price_fen)),
    el('td', 'num', left),
    el('td', '', snack.on_sale ? 'on sale' : 'off sale'),
    el('td', 'num', snack.position),
  )
  row.addEventListener('click', onEdit)
  return row
}

export function contentsText(contents) {
  return (contents || []).map((part) => `${part.name} × ${part.qty}`).join(' + ')
}

/** "可乐 x2" lines as combo contents; blank lines are skipped. */
export function parseContents(text) {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const match = /^(.*?)\s*[x×*]\s*(\d+)$/i.exec(line)
      return match ? { name: match[1].trim(), qty: Number(match[2]) } : { name: line, qty: 1 }
    })
}

function snackForm(ctx, snack, done) {
  const form = el('form', 'c-form c-card')
  form.id = 'snack-form'
  const kind = select('kind', KINDS, snack.kind || 'item')
  const name = input('name', { value: snack.name || '', maxlength: '100', required: '' })
  const description = input('description', { value: snack.description || '', maxlength: '500' })
  const price = input('price', { type: 'number', min: '0.01', step: '0.01', value: snack.price_fen ? (snack.price_fen / 100).toFixed(2) : '' })
  const stock = input('stock', { type: 'number', min: '0', step: '1', placeholder: 'no limit', value: snack.stock_left ?? '' })
  const position = input('position', { type: 'number', min: '0', step: '1', value: snack.position ?? 0 })
  const onSale = input('on_sale', { type: 'checkbox' })
  onSale.checked = snack.on_sale !== false
  const contents = el('textarea')
  contents.name = 'contents'
  contents.rows = 3
  contents.placeholder = '爆米花 x1\n可乐 x2'
  contents.value = (snack.contents || []).filter((p) => p.name).map((p) => `${p.name} x${p.qty}`).join('\n')
  const contentsField = field('Contents (one per line, "name x qty") ', contents)
  const showContents = () => (contentsField.hidden = kind.value !== 'combo')
  kind.addEventListener('change', showContents)
  showContents()

  const save = button(snack.id ? 'Save' : 'Add to the menu', async () => {
    const fields = {
      kind: kind.value,
      name: name.value.trim(),
      description: description.value.trim(),
      price_fen: Math.round(Number(price.value) * 100),
      stock: stock.value === '' ? null : Number(stock.value),
      position: Number(position.value || 0),
      on_sale: onSale.checked,
      contents: kind.value === 'combo' ? parseContents(contents.value) : [],
    }
    try {
      const saved = snack.id
        ? await api(`/api/v1/staff/snacks/${snack.id}`, { method: 'PATCH', body: fields })
        : await api(`/api/v1/staff/cinemas/${ctx.cinema.id}/snacks`, { method: 'POST', body: fields })
      ctx.flash(`Saved “${saved.name}”.`)
      await done()
    } catch (err) {
      ctx.flash(describe(err), true)
    }
  }, 'c-primary')
  form.append(
    el('h2', '', snack.id ? `Edit ${snack.name}` : snack.kind === 'combo' ? 'New combo' : 'New item'),
    field('Kind ', kind),
    field('Name ', name),
    field('Description ', description),
    field('Price (¥) ', price),
    field('Stock left (blank: no limit) ', stock),
    field('Menu order ', position),
    field('On sale ', onSale),
    contentsField,
    el('div', 'c-toolbar', save, button('Close', () => form.remove())),
  )
  if (snack.id) form.append(pictureField(ctx, snack, done))
  return form
}

function pictureField(ctx, snack, done) {
  const box = el('div', 'c-toolbar')
  const image = el('img', 'c-thumb')
  image.alt = `picture of ${snack.name}`
  image.id = 'snack-picture'
  if (snack.picture_url) image.src = snack.picture_url
  image.hidden = !snack.picture_url
  const file = input('picture', { type: 'file', accept: 'image/png,image/jpeg,image/webp' })
  const send = button('Upload picture', async () => {
    const chosen = file.files && file.files[0]
    if (!chosen) {
      ctx.flash('Choose an image file first.', true)
      return
    }
    try {
      const answer = await upload(`/api/v1/staff/snacks/${snack.id}/picture`, chosen)
      image.src = answer.snack.picture_url
      image.hidden = false
      ctx.flash('Picture uploaded.')
      await done()
    } catch (err) {
      ctx.flash(describe(err), true)
    }
  })
  box.append(image, field('Picture ', file), send)
  return box
}
