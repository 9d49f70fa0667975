/**
 * The seat-layout editor: a grid of cells painted with a tool (seat, couple seat, wheelchair
 * space, gap, price zone) and column headers that toggle aisles. Seat ids and numbers follow the
 * grid (row letter, then seats counted left to right), couple seats pair with the couple seat
 * beside them. The service validates the result (docs/layout.md); its problems are listed.
 */

import { api, describe } from './api.js'
import { button, el, field, input } from './dom.js'

const ROW_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ' // no I or O, as the service's own layouts
const ZONE_COLOURS = ['#9cc3e6', '#c6a7e8', '#f2c27b', '#9ad3a5', '#ef9fb8', '#b5c0cc']
const TOOLS = [
  ['standard', 'Seat'],
  ['couple', 'Couple seat'],
  ['wheelchair', 'Wheelchair'],
  ['gap', 'Gap'],
  ['zone', 'Paint zone'],
]

export function rowLabel(index) {
  if (index < ROW_LETTERS.length) return ROW_LETTERS[index]
  return ROW_LETTERS[Math.floor(index / ROW_LETTERS.length) - 1] + ROW_LETTERS[index % ROW_LETTERS.length]
}

/** Editor grid from a layout document: cells[row][col] = {type, zone} or null. */
export function fromLayout(layout) {
  const cells = layout.rows.map(() => Array(layout.columns).fill(null))
  layout.rows.forEach((row, r) => {
    for (const seat of row.seats) cells[r][seat.col] = { type: seat.type || 'standard', zone: seat.zone || 'standard' }
  })
  return { columns: layout.columns, aisles: new Set(layout.aisles || []), cells }
}

/** A layout document from the editor grid (what the service validates and stores). */
export function toLayout(grid) {
  const rows = grid.cells.map((cells, r) => {
    const label = rowLabel(r)
    const seats = []
    let number = 0
    cells.forEach((cell, col) => {
      if (!cell || grid.aisles.has(col)) return
      number += 1
      seats.push({ id: `${label}-${number}`, col, number, type: cell.type, zone: cell.zone })
    })
    for (let i = 0; i + 1 < seats.length; i += 1) {
      const [left, right] = [seats[i], seats[i + 1]]
      if (left.type === 'couple' && right.type === 'couple' && !left.pair && right.col === left.col + 1) {
        left.pair = right.id
        right.pair = left.id
        i += 1
      }
    }
    return { label, seats }
  })
  return { columns: grid.columns, aisles: [...grid.aisles].sort((a, b) => a - b), rows }
}

export function blankGrid(rows, columns) {
  return {
    columns,
    aisles: new Set(),
    cells: [...Array(rows)].map(() => [...Array(columns)].map(() => ({ type: 'standard', zone: 'standard' }))),
  }
}

export async function layoutsView(root, ctx) {
  const cinema = ctx.cinema
  let halls = (await api(`/api/v1/staff/cinemas/${cinema.id}/halls`)).items
  // `#layouts/ID` (from the cinemas page) opens that hall, `#layouts/new` a blank one.
  const asked = ctx.arg === 'new' ? 'new' : halls.find((h) => String(h.id) === ctx.arg)?.id
  const first = halls.length ? halls[0].id : 'new'
  const state = { hallId: asked ?? first, grid: null, tool: 'standard', zone: 'standard' }
  const hallPicker = el('select')
  hallPicker.id = 'layout-hall'
  const name = input('hall-name', { placeholder: 'hall name' })
  const toolbar = el('div', 'c-toolbar')
  const tools = el('div', 'c-toolbar c-tools')
  const zoneName = input('zone-name', { value: 'standard', size: '10' })
  const editor = el('div')
  const zonesLegend = el('div', 'c-zones')
  const result = el('div')
  result.id = 'layout-result'
  root.append(toolbar, tools, el('div', 'c-columns', el('div', '', editor, zonesLegend), el('div', 'c-card', result)))

  function fillHalls() {
    hallPicker.replaceChildren(
      ...halls.map((h) => new Option(`${h.name} (${h.seat_count} seats)`, String(h.id))),
      new Option('+ New hall', 'new'),
    )
    hallPicker.value = String(state.hallId)
  }

  function load() {
    const hall = halls.find((h) => h.id === state.hallId)
    state.grid = hall ? fromLayout(hall.layout) : blankGrid(8, 12)
    name.value = hall ? hall.name : ''
    result.replaceChildren(el('p', '', hall ? `Editing ${hall.name}.` : 'A new hall: paint its seats, then save.'))
    draw()
  }

  hallPicker.addEventListener('change', () => {
    state.hallId = hallPicker.value === 'new' ? 'new' : Number(hallPicker.value)
    load()
  })
  const rowsInput = input('rows', { type: 'number', value: '8', min: '1', max: '60', size: '3' })
  const colsInput = input('columns', { type: 'number', value: '12', min: '1', max: '80', size: '3' })
  toolbar.append(
    field('Hall ', hallPicker),
    field('Name ', name),
    field('Rows ', rowsInput),
    field('Columns ', colsInput),
    button('Resize', () => resize(Number(rowsInput.value), Number(colsInput.value))),
    button('Check', check),
    button('Save layout', save, 'c-primary'),
  )
  for (const [tool, text] of TOOLS) {
    const node = button(text, () => {
      state.tool = tool
      for (const b of tools.querySelectorAll('button')) b.classList.toggle('active', b === node)
    })
    node.dataset.tool = tool
    if (tool === state.tool) node.classList.add('active')
    tools.append(node)
  }
  tools.append(field('Zone ', zoneName), el('span', '', 'Click a column number to make it an aisle.'))
  zoneName.addEventListener('input', () => (state.zone = zoneName.value.trim() || 'standard'))

  function resize(rows, columns) {
    const grid = state.grid
    const cells = [...Array(rows)].map((_, r) =>
      [...Array(columns)].map((_, c) => (grid.cells[r] && c < grid.columns ? grid.cells[r][c] : { type: 'standard', zone: 'standard' })),
    )
    state.grid = { columns, aisles: new Set([...grid.aisles].filter((a) => a < columns)), cells }
    draw()
  }

  function zoneColour(zone, zones) {
    return ZONE_COLOURS[zones.indexOf(zone) % ZONE_COLOURS.length]
  }

  function draw() {
    const grid = state.grid
    rowsInput.value = String(grid.cells.length)
    colsInput.value = String(grid.columns)
    const zones = [...new Set(grid.cells.flat().filter(Boolean).map((c) => c.zone))].sort()
    const table = el('div', 'c-editor')
    table.id = 'layout-editor'
    table.style.gridTemplateColumns = `26px repeat(${grid.columns}, 26px)`
    table.append(el('span'))
    for (let c = 0; c < grid.columns; c += 1) {
      const head = button(String(c), () => {
        if (grid.aisles.has(c)) grid.aisles.delete(c)
        else grid.aisles.add(c)
        draw()
      }, `c-colhead${grid.aisles.has(c) ? ' aisle' : ''}`)
      head.title = 'toggle aisle'
      table.append(head)
    }
    grid.cells.forEach((cells, r) => {
      table.append(el('span', 'c-rowhead', rowLabel(r)))
      cells.forEach((cell, c) => {
        const aisle = grid.aisles.has(c)
        const classes = ['c-cell']
        if (aisle) classes.push('aisle')
        else if (cell) classes.push('seat', cell.type)
        const node = button('', () => paint(r, c), classes.join(' '))
        node.dataset.row = String(r)
        node.dataset.col = String(c)
        if (cell && !aisle) {
          node.style.setProperty('--zone', zoneColour(cell.zone, zones))
          node.title = `${rowLabel(r)} col ${c}: ${cell.type}, zone ${cell.zone}`
        }
        node.disabled = aisle
        table.append(node)
      })
    })
    editor.replaceChildren(table)
    zonesLegend.replaceChildren(
      ...zones.map((z) => {
        const item = el('span', '', z)
        item.style.setProperty('--zone', zoneColour(z, zones))
        return item
      }),
    )
  }

  function paint(r, c) {
    const row = state.grid.cells[r]
    const cell = row[c]
    if (state.tool === 'gap') row[c] = null
    else if (state.tool === 'zone') row[c] = { type: cell ? cell.type : 'standard', zone: state.zone }
    else row[c] = { type: state.tool, zone: cell ? cell.zone : state.zone }
    draw()
  }

  function showProblems(err) {
    const problems = (err.details && err.details.problems) || []
    result.replaceChildren(
      el('p', 'c-error', err.message || describe(err)),
      el('ul', 'c-problems', ...problems.map((p) => el('li', '', typeof p === 'string' ? p : `${p.field}: ${p.problem}`))),
    )
  }

  async function check() {
    try {
      const answer = await api('/api/v1/staff/layouts/validate', { method: 'POST', body: { layout: toLayout(state.grid) } })
      result.replaceChildren(el('p', 'c-ok', `The layout is valid: ${answer.seat_count} seats in zones ${answer.zones.join(', ')}.`))
    } catch (err) {
      showProblems(err)
    }
  }

  async function save() {
    const layout = toLayout(state.grid)
    try {
      let hall
      if (state.hallId === 'new') {
        hall = await api(`/api/v1/staff/cinemas/${cinema.id}/halls`, { method: 'POST', body: { name: name.value.trim(), layout } })
      } else {
        hall = await api(`/api/v1/staff/halls/${state.hallId}`, { method: 'PATCH', body: { name: name.value.trim() || undefined, layout } })
      }
      halls = (await api(`/api/v1/staff/cinemas/${cinema.id}/halls`)).items
      state.hallId = hall.id
      fillHalls()
      load()
      result.replaceChildren(el('p', 'c-ok', `Saved ${hall.name}: ${hall.seat_count} seats.`))
    } catch (err) {
      showProblems(err)
    }
  }

  fillHalls()
  load()
}

