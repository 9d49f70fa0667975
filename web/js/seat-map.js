/**
 * Draws a hall's seat map and keeps each seat's look in step with a SeatMapState.
 *
 * The grid has one column per layout column (aisle columns are narrow walkways) and one row per
 * seat row, row 0 nearest the screen, with the row labels' column mirrored on the right so the
 * seats' centre is the screen's centre line. fit() sizes the cells so the whole hall fits the
 * width on open. A seat shows its state (free, picked, mine, held, sold), its type (couple seats
 * joined to their pair, wheelchair spaces marked) and its price zone (a coloured stripe, named in
 * Chinese with its price in the legend); seats the stranded-seat rule names are marked.
 */

import { locale, t } from './i18n.js'
import { yuan } from './format.js'
import './seat-labels.js'

const { zoneName } = globalThis.seatLabels
const MIN_CELL_PX = 12
const MAX_CELL_PX = 34
const AISLE_SHARE = 0.6

const ZONE_COLOURS = ['#2f8f9d', '#8e5cc4', '#d9822b', '#3d7be0', '#c2477a', '#5a9e3a']
const STATES = ['free', 'picked', 'mine', 'held', 'sold']

export class SeatMap {
  /** `root`: an empty element; `onTap(seatId)` is called when a seat is tapped. */
  constructor(root, state, { onTap }) {
    this.root = root
    this.state = state
    this.onTap = onTap
    this.buttons = new Map()
    // Zones in the order the hall shows them, front to back (as the mini-program lists them).
    this.zones = [...new Set([...state.seats.values()].map((seat) => seat.zone))]
    this._build()
  }

  zoneColour(zone) {
    return ZONE_COLOURS[this.zones.indexOf(zone) % ZONE_COLOURS.length]
  }

  _build() {
    const { layout } = this.state
    const aisles = new Set(layout.aisles || [])
    const hall = el('div', 'hall')
    const screen = el('div', 'screen')
    screen.append(el('span', '', t('screen')))
    const grid = el('div', 'grid')
    const columns = ['var(--label)']
    for (let col = 0; col < layout.columns; col += 1) columns.push(aisles.has(col) ? 'var(--aisle)' : 'var(--cell)')
    columns.push('var(--label)')
    grid.style.gridTemplateColumns = columns.join(' ')
    grid.style.setProperty('--columns', String(layout.columns))
    layout.rows.forEach((row, index) => {
      const label = el('span', 'row-label', row.label)
      label.style.gridRow = String(index + 1)
      label.style.gridColumn = '1'
      grid.append(label)
      for (const seat of row.seats) grid.append(this._seatButton(seat, row.label, index))
    })
    grid.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-seat]')
      if (button && !button.disabled) this.onTap(button.dataset.seat)
    })
    hall.append(screen, grid)
    this.root.replaceChildren(hall, this._legend())
    this.grid = grid
    this.fit()
    this.update(this.state.order)
  }

  _seatButton(seat, rowLabel, rowIndex) {
    const button = el('button', 'seat')
    button.type = 'button'
    button.dataset.seat = seat.id
    button.style.gridRow = String(rowIndex + 1)
    button.style.gridColumn = String(seat.col + 2)
    button.style.setProperty('--zone', this.zoneColour(seat.zone))
    const fixed = [`type-${seat.type}`]
    if (seat.pair) {
      const partner = this.state.seats.get(seat.pair)
      fixed.push(partner && partner.col > seat.col ? 'pair-left' : 'pair-right')
    }
    button.dataset.fixed = fixed.join(' ')
    button.title = `${this.state.name(seat.id, locale())} ${yuan(this.state.prices[seat.zone] || 0)}`
    button.setAttribute('aria-label', button.title)
    this.buttons.set(seat.id, button)
    return button
  }

  _legend() {
    const legend = el('div', 'legend')
    const states = el('ul', 'legend-states')
    for (const name of STATES) {
      const item = el('li')
      item.append(el('span', `seat sample ${name}`), el('span', '', t(`legend_${name}`)))
      states.append(item)
    }
    const types = [
      ['type-couple pair-left', 'legend_couple'],
      ['type-wheelchair', 'legend_wheelchair'],
    ]
    for (const [classes, key] of types) {
      const item = el('li')
      item.append(el('span', `seat sample free ${classes}`), el('span', '', t(key)))
      states.append(item)
    }
    const zones = el('ul', 'legend-zones')
    for (const zone of this.zones) {
      const item = el('li')
      const swatch = el('span', 'zone-swatch')
      swatch.style.setProperty('--zone', this.zoneColour(zone))
      const name = zoneName(zone, locale())
      item.append(swatch, el('span', '', `${name} ${yuan(this.state.prices[zone] || 0)}`))
      zones.append(item)
    }
    legend.append(states, zones)
    return legend
  }

  /**
   * Size the seats so the whole hall fits the width, centred; a hall too wide for the smallest
   * seat a finger can hit scrolls, and opens scrolled to its centre.
   */
  fit() {
    const width = this.root.clientWidth || window.innerWidth
    const { layout } = this.state
    const aisles = (layout.aisles || []).length
    const label = parseFloat(getComputedStyle(this.root).getPropertyValue('--label')) || 18
    const fitted = Math.floor((width - 2 * label - 8) / (layout.columns - aisles + AISLE_SHARE * aisles))
    const cell = Math.max(MIN_CELL_PX, Math.min(MAX_CELL_PX, fitted))
    this.root.style.setProperty('--cell', `${cell}px`)
    this.root.style.setProperty('--aisle', `${Math.floor(cell * AISLE_SHARE)}px`)
    this.root.scrollLeft = (this.root.scrollWidth - this.root.clientWidth) / 2
  }

  /** Redraw the given seats from the state. */
  update(ids) {
    for (const id of ids) {
      const button = this.buttons.get(id)
      if (!button) continue
      const view = this.state.view(id)
      const warned = button.classList.contains('stranded') ? ' stranded' : ''
      button.className = `seat ${view} ${button.dataset.fixed}${warned}`
      button.disabled = view === 'held' || view === 'sold'
      button.setAttribute('aria-pressed', String(view === 'picked' || view === 'mine'))
    }
  }

  /** Mark the seats the stranded-seat rule names now (and only those). */
  warn(ids) {
    for (const [id, button] of this.buttons) button.classList.toggle('stranded', ids.includes(id))
  }

  /** Draw attention to seats named by a refusal (the stranded seats, a taken seat). */
  flag(ids, ms = 4000) {
    for (const id of ids) {
      const button = this.buttons.get(id)
      if (!button) continue
      button.classList.add('flagged')
      setTimeout(() => button.classList.remove('flagged'), ms)
    }
  }
}

function el(tag, className = '', text = '') {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text) node.textContent = text
  return node
}
