/**
 * The box-office dashboard: totals for a period, revenue and occupancy by day, sales by hour of
 * payment, top movies and occupancy by hall, drawn with Apache ECharts (vendored, see
 * vendor/echarts/VERSION.md), and CSV exports of the same figures.
 */

import { api, describe, download } from './api.js'
import { discountsPanel } from './boxoffice-discounts.js'
import { snackPanel } from './boxoffice-snacks.js'
import { addDays, button, el, field, input, select, todayIn, yuan } from './dom.js'

const COLOURS = ['#c8323e', '#3d7be0', '#2f8f9d', '#d9822b', '#8e5cc4']

export async function boxofficeView(root, ctx) {
  const today = todayIn(ctx.cinema.timezone)
  const start = input('start', { type: 'date', value: addDays(today, -29) })
  const end = input('end', { type: 'date', value: addDays(today, 7) }) // advance sales of the coming week
  const scope = select('scope', [['one', `${ctx.cinema.name} only`], ['all', 'all my cinemas']], 'one')
  const exportGroup = select(
    'export',
    [['showtime', 'per showtime'], ['day', 'per day'], ['movie', 'per movie'], ['hall', 'per hall'], ['cinema', 'per cinema']],
    'showtime',
  )
  const kpis = el('div', 'c-kpis')
  kpis.id = 'kpis'
  const charts = el('div', 'c-charts')
  const table = el('div')
  const discounts = discountsPanel()
  root.append(
    el(
      'div',
      'c-toolbar',
      field('From ', start),
      field('to ', end),
      scope,
      button('Show', () => load().catch((err) => ctx.flash(describe(err), true)), 'c-primary'),
      field('CSV ', exportGroup),
      button('Download CSV', () => download(`/api/v1/staff/boxoffice/export.csv?${query()}&group_by=${exportGroup.value}`, 'boxoffice.csv').catch((err) => ctx.flash(describe(err), true))),
    ),
    kpis,
    charts,
    discounts.node,
    table,
  )
  const panels = {}
  for (const [key, title] of [
    ['days', 'Revenue and occupancy by day'],
    ['hours', 'Tickets sold by hour of the day'],
    ['movies', 'Top movies by revenue'],
    ['halls', 'Occupancy by hall'],
  ]) {
    const box = el('div', 'c-chart')
    box.id = `chart-${key}`
    charts.append(el('div', 'c-card', el('h2', '', title), box))
    panels[key] = window.echarts.init(box, null, { renderer: 'canvas' })
  }
  const snacks = snackPanel(charts)
  const resize = () => [...Object.values(panels), snacks].forEach((chart) => chart.resize())
  window.addEventListener('resize', resize)
  ctx.cleanup = () => {
    window.removeEventListener('resize', resize)
    ;[...Object.values(panels), snacks].forEach((chart) => chart.dispose())
    discounts.dispose()
  }

  function query() {
    const params = new URLSearchParams({ start: start.value, end: end.value })
    if (scope.value === 'one') params.set('cinema_id', String(ctx.cinema.id))
    return params.toString()
  }

  async function load() {
    const q = query()
    const [byDay, byHall, hours, top] = await Promise.all([
      api(`/api/v1/staff/boxoffice/summary?${q}&group_by=day`),
      api(`/api/v1/staff/boxoffice/summary?${q}&group_by=hall`),
      api(`/api/v1/staff/boxoffice/hours?${q}`),
      api(`/api/v1/staff/boxoffice/top-movies?${q}&limit=10`),
    ])
    const totals = byDay.totals
    kpis.replaceChildren(
      kpi(yuan(totals.revenue_fen), 'revenue'),
      kpi(String(totals.tickets), 'tickets sold'),
      kpi(`${(totals.occupancy * 100).toFixed(1)}%`, 'occupancy'),
      kpi(String(totals.shows), 'screenings'),
    )
    drawDays(panels.days, everyDay(byDay.groups, start.value, end.value))
    panels.hours.setOption(barOption(hours.hours.map((h) => `${String(h.hour).padStart(2, '0')}:00`), hours.hours.map((h) => h.tickets), 'tickets', COLOURS[1]), true)
    const movies = [...top.movies].reverse()
    panels.movies.setOption(barOption(movies.map((m) => m.label), movies.map((m) => m.revenue_fen / 100), '¥', COLOURS[0], true), true)
    panels.halls.setOption(barOption(byHall.groups.map((g) => g.label), byHall.groups.map((g) => Math.round(g.occupancy * 1000) / 10), '%', COLOURS[2], true), true)
    table.replaceChildren(movieTable(top.movies))
    await discounts.load(q)
    await snacks.draw({ start: start.value, end: end.value, cinemaId: scope.value === 'one' ? ctx.cinema.id : null })
  }

  await load()
}

function kpi(value, label) {
  return el('div', 'c-card c-kpi', el('strong', '', value), el('span', '', label))
}

function drawDays(chart, groups) {
  chart.setOption(
    {
      color: COLOURS,
      tooltip: { trigger: 'axis' },
      legend: { data: ['revenue (¥)', 'occupancy (%)'], top: 0 },
      grid: { left: 60, right: 50, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: groups.map((g) => g.key.slice(5)) },
      yAxis: [
        { type: 'value', name: '¥' },
        { type: 'value', name: '%', max: 100 },
      ],
      series: [
        { name: 'revenue (¥)', type: 'bar', data: groups.map((g) => g.revenue_fen / 100) },
        { name: 'occupancy (%)', type: 'line', yAxisIndex: 1, data: groups.map((g) => Math.round(g.occupancy * 1000) / 10) },
      ],
    },
    true,
  )
}

/** One group per date from start to end: days without screenings show as zero. */
function everyDay(groups, start, end) {
  const known = new Map(groups.map((g) => [g.key, g]))
  const days = []
  for (let day = start; day <= end && days.length < 400; day = addDays(day, 1)) {
    days.push(known.get(day) || { key: day, revenue_fen: 0, occupancy: 0 })
  }
  return days
}

function barOption(labels, values, unit, colour, horizontal = false) {
  const category = { type: 'category', data: labels, axisLabel: { width: 110, overflow: 'truncate' } }
  const value = { type: 'value', name: unit }
  return {
    color: [colour],
    tooltip: { trigger: 'axis' },
    grid: { left: horizontal ? 120 : 50, right: 20, top: 30, bottom: 30 },
    xAxis: horizontal ? value : category,
    yAxis: horizontal ? category : value,
    series: [{ type: 'bar', data: values, name: unit }],
  }
}

function movieTable(movies) {
  const head = el('tr', '', ...['Movie', 'Screenings', 'Tickets', 'Revenue', 'Occupancy'].map((h, i) => el('th', i ? 'num' : '', h)))
  const rows = movies.map((m) =>
    el(
      'tr',
      '',
      el('td', '', m.label),
      el('td', 'num', String(m.shows)),
      el('td', 'num', String(m.tickets)),
      el('td', 'num', yuan(m.revenue_fen)),
      el('td', 'num', `${(m.occupancy * 100).toFixed(1)}%`),
    ),
  )
  const tableNode = el('table', 'c-table', el('thead', '', head), el('tbody', '', ...rows))
  tableNode.id = 'movie-table'
  return el('div', 'c-card', el('h2', '', 'Movies'), tableNode)
}
