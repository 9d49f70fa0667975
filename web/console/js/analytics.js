/**
 * The operations dashboard: visits and unique visitors per day, the funnel from movie to paid
 * with the drop-off at each step and the refusal codes behind hold drop-offs, dwell time per
 * page, payment success per day against the 98% target, failure reasons, orders per day, and the
 * service's response times (p50 / p95 / p99 and the average against the 1 s target) per day or
 * hour, of one route or all, with the busiest routes side by side.
 * Filters: dates, this cinema or all of mine, movie, channel. Visits, dwell and response times
 * are chain-wide figures, shown to platform admins only (docs/analytics.md).
 */

import { api, describe, ApiError } from './api.js'
import { addDays, button, el, field, input, select, todayIn } from './dom.js'

const COLOURS = ['#3d7be0', '#c8323e', '#2f8f9d', '#d9822b', '#8e5cc4']
const STEP_NAMES = {
  movie: 'Movie opened',
  showtimes: 'Showtimes',
  seat_map: 'Seat map',
  hold: 'Seats held',
  order: 'Order placed',
  paid: 'Paid',
}

export async function analyticsView(root, ctx) {
  const today = todayIn(ctx.cinema.timezone)
  const start = input('start', { type: 'date', value: addDays(today, -13) })
  const end = input('end', { type: 'date', value: today })
  const scope = select('scope', [['one', `${ctx.cinema.name} only`], ['all', 'all my cinemas']], 'all')
  const movies = (await api('/api/v1/staff/movies?limit=100')).items
  const movie = select('movie', [['', 'every movie'], ...movies.map((m) => [m.id, m.title])], '')
  const channel = select('channel', [['', 'every channel'], ['miniprogram', 'mini-program'], ['web', 'web']], '')
  const by = select('by', [['day', 'per day'], ['hour', 'per hour']], 'day')
  const route = select('route', [['', 'every route']], '')
  const kpis = el('div', 'c-kpis')
  kpis.id = 'analytics-kpis'
  const charts = el('div', 'c-charts')
  root.append(
    el(
      'div',
      'c-toolbar',
      field('From ', start),
      field('to ', end),
      scope,
      movie,
      channel,
      by,
      route,
      button('Show', () => load().catch((err) => ctx.flash(describe(err), true)), 'c-primary'),
    ),
    kpis,
    charts,
  )
  const panels = {}
  for (const [key, title] of [
    ['funnel', 'Funnel: journeys reaching each step (drop-off from the step before)'],
    ['refusals', 'Why holds were refused'],
    ['visits', 'Visits and unique visitors per day'],
    ['dwell', 'Average time on each page (s)'],
    ['payments', 'Payment success per day (target 98%)'],
    ['orders', 'Orders paid per day'],
    ['latency', 'Response time: p50, p95, p99 and average (target: average < 1 s)'],
    ['routes', 'Busiest routes: response time (ms)'],
  ]) {
    const box = el('div', 'c-chart')
    box.id = `analytics-${key}`
    charts.append(el('div', 'c-card', el('h2', '', title), box))
    panels[key] = window.echarts.init(box, null, { renderer: 'canvas' })
  }
  const resize = () => Object.values(panels).forEach((chart) => chart.resize())
  window.addEventListener('resize', resize)
  ctx.cleanup = () => {
    window.removeEventListener('resize', resize)
    Object.values(panels).forEach((chart) => chart.dispose())
  }

  function query() {
    const params = new URLSearchParams({ start: start.value, end: end.value })
    if (scope.value === 'one') params.set('cinema_id', String(ctx.cinema.id))
    if (movie.value) params.set('movie_id', movie.value)
    if (channel.value) params.set('channel', channel.value)
    return params.toString()
  }

  function latencyQuery() {
    const params = new URLSearchParams({ start: start.value, end: end.value, by: by.value })
    if (route.value) params.set('route', route.value)
    return params.toString()
  }

  async function load() {
    const q = query()
    const [funnel, payments, visits, dwell, latency] = await Promise.all([
      api(`/api/v1/staff/analytics/funnel?${q}`),
      api(`/api/v1/staff/analytics/payments?${q}`),
      adminOnly(api(`/api/v1/staff/analytics/visits?${q}`)),
      adminOnly(api(`/api/v1/staff/analytics/dwell?${q}`)),
      adminOnly(api(`/api/v1/staff/analytics/latency?${latencyQuery()}`)),
    ])
    const days = everyDay(start.value, end.value)
    const first = funnel.steps[0].journeys
    const paid = funnel.steps[funnel.steps.length - 1].journeys
    kpis.replaceChildren(
      kpi(visits ? String(sum(visits.days, 'visits')) : '—', visits ? 'visits' : 'visits (admins only)'),
      kpi(String(first), 'journeys started'),
      kpi(first ? `${((paid / first) * 100).toFixed(1)}%` : '—', 'movie opened → paid'),
      kpi(payments.success_rate === null ? '—' : `${(payments.success_rate * 100).toFixed(1)}%`, 'payment success'),
    )
    drawFunnel(panels.funnel, funnel.steps)
    const refusals = Object.entries(funnel.hold_refusals)
    panels.refusals.setOption(bars(refusals.map(([code]) => code), refusals.map(([, n]) => n), 'holds', COLOURS[1], true), true)
    if (visits) {
      const byDay = new Map(visits.days.map((d) => [d.day, d]))
      panels.visits.setOption(lines(days, [
        ['visits', days.map((d) => (byDay.get(d) || {}).visits || 0)],
        ['unique visitors', days.map((d) => (byDay.get(d) || {}).visitors || 0)],
      ]), true)
      const pages = [...dwell.pages].reverse()
      panels.dwell.setOption(bars(pages.map((p) => p.page), pages.map((p) => Math.round(p.average_dwell_ms / 100) / 10), 's', COLOURS[2], true), true)
    } else {
      for (const key of ['visits', 'dwell']) panels[key].setOption(notice('for platform admins'), true)
    }
    drawPayments(panels.payments, days, payments)
    const paidByDay = new Map(payments.days.map((d) => [d.day, d.paid]))
    panels.orders.setOption(bars(days.map((d) => d.slice(5)), days.map((d) => paidByDay.get(d) || 0), 'orders', COLOURS[3]), true)
    if (latency) {
      offerRoutes(route, latency.routes)
      drawLatency(panels.latency, latency, days)
      drawRoutes(panels.routes, latency.routes)
    } else {
      for (const key of ['latency', 'routes']) panels[key].setOption(notice('for platform admins'), true)
    }
  }

  await load()
}

/** null for a 403 (a report this account may not read), the answer otherwise. */
async function adminOnly(request) {
  try {
    return await request
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) return null
    throw err
  }
}

function sum(items, key) {
  return items.reduce((total, item) => total + item[key], 0)
}

function kpi(value, label) {
  return el('div', 'c-card c-kpi', el('strong', '', value), el('span', '', label))
}

function everyDay(start, end) {
  const days = []
  for (let day = start; day <= end && days.length < 400; day = addDays(day, 1)) days.push(day)
  return days
}

function drawFunnel(chart, steps) {
  const shown = [...steps].reverse()
  chart.setOption(
    {
      color: [COLOURS[0]],
      tooltip: { trigger: 'axis' },
      grid: { left: 110, right: 90, top: 10, bottom: 20 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: shown.map((s) => STEP_NAMES[s.step] || s.step) },
      series: [
        {
          type: 'bar',
          name: 'journeys',
          data: shown.map((s) => s.journeys),
          label: {
            show: true,
            position: 'right',
            formatter: ({ dataIndex }) => {
              const step = shown[dataIndex]
              return step.drop_off === null ? String(step.journeys) : `${step.journeys}  (−${Math.round(step.drop_off * 100)}%)`
            },
          },
        },
      ],
    },
    true,
  )
}

/** The route filter offers the busiest routes of the last answer (and keeps the one chosen). */
function offerRoutes(picker, routes) {
  const chosen = picker.value
  const names = routes.map((r) => r.route)
  if (chosen && !names.includes(chosen)) names.unshift(chosen)
  picker.replaceChildren(new Option('every route', ''), ...names.map((name) => new Option(name, name)))
  picker.value = chosen
}

/** By day every day of the range is drawn; by hour only the hours that had requests. */
function drawLatency(chart, latency, days) {
  const hourly = latency.by === 'hour'
  const byDay = new Map(latency.periods.map((p) => [p.at.slice(0, 10), p]))
  const periods = hourly ? latency.periods : days.map((d) => byDay.get(d) || { at: d })
  const label = (at) => (hourly ? `${at.slice(5, 10)} ${at.slice(11, 16)}` : at.slice(5, 10))
  const figure = (key) => periods.map((p) => (p[key] === undefined ? null : p[key]))
  const o = latency.overall
  const summary = o.requests
    ? `${latency.route || 'every route'}: ${o.requests} requests, average ${o.average_ms} ms, p95 ${o.p95_ms} ms, p99 ${o.p99_ms} ms`
    : 'no requests measured in these days'
  const series = [
    ['p50', 'p50_ms'],
    ['p95', 'p95_ms'],
    ['p99', 'p99_ms'],
    ['average', 'average_ms'],
  ].map(([name, key]) => ({ name, type: 'line', connectNulls: true, data: figure(key) }))
  series[3].lineStyle = { type: 'dotted' }
  series[3].markLine = {
    symbol: 'none',
    lineStyle: { color: COLOURS[1], type: 'dashed' },
    label: { formatter: 'target: average < 1 s', position: 'insideEndTop' },
    data: [{ yAxis: latency.target_average_ms }],
  }
  chart.setOption(
    {
      color: [COLOURS[2], COLOURS[3], COLOURS[1], COLOURS[0]],
      tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '—' : `${v} ms`) },
      legend: { top: 0 },
      title: { text: summary, left: 'center', bottom: 0, textStyle: { fontSize: 11, fontWeight: 'normal' } },
      grid: { left: 60, right: 30, top: 30, bottom: 50 },
      xAxis: { type: 'category', data: periods.map((p) => label(p.at)) },
      // logarithmic: a 5 ms p50 and a 1 s target on one readable axis
      yAxis: { type: 'log', name: 'ms', min: 1, max: (v) => 10 ** Math.ceil(Math.log10(Math.max(v.max, latency.target_average_ms) * 1.2)) },
      series,
    },
    true,
  )
}

function drawRoutes(chart, routes) {
  const shown = routes.slice(0, 8).reverse()
  chart.setOption(
    {
      color: [COLOURS[2], COLOURS[3], COLOURS[1]],
      tooltip: {
        trigger: 'axis',
        formatter: (items) => [`${items[0].name}: ${shown[items[0].dataIndex].requests} requests`, ...items.map((i) => `${i.seriesName}: ${i.value} ms`)].join('<br>'),
      },
      legend: { top: 0 },
      grid: { left: 250, right: 30, top: 30, bottom: 30 },
      xAxis: { type: 'value', name: 'ms' },
      yAxis: { type: 'category', data: shown.map((r) => r.route), axisLabel: { width: 240, overflow: 'truncate' } },
      series: [
        ['p50', 'p50_ms'],
        ['p95', 'p95_ms'],
        ['p99', 'p99_ms'],
      ].map(([name, key]) => ({ name, type: 'bar', data: shown.map((r) => r[key]) })),
    },
    true,
  )
}

function drawPayments(chart, days, payments) {
  const byDay = new Map(payments.days.map((d) => [d.day, d]))
  const rates = days.map((d) => {
    const day = byDay.get(d)
    return day && day.paid + day.failed ? Math.round((day.paid / (day.paid + day.failed)) * 1000) / 10 : null
  })
  const reasons = Object.entries(payments.reasons).map(([code, n]) => `${code}: ${n}`).join(', ')
  chart.setOption(
    {
      color: [COLOURS[2], COLOURS[1]],
      tooltip: { trigger: 'axis' },
      title: { text: reasons ? `failures: ${reasons}` : 'no failed payments', left: 'center', bottom: 0, textStyle: { fontSize: 11, fontWeight: 'normal' } },
      grid: { left: 50, right: 75, top: 20, bottom: 50 },
      xAxis: { type: 'category', data: days.map((d) => d.slice(5)) },
      yAxis: { type: 'value', name: '%', min: (v) => Math.max(0, Math.floor(Math.min(v.min, 98) - 2)), max: 100 },
      series: [
        {
          name: 'success (%)',
          type: 'line',
          connectNulls: true,
          data: rates,
          markLine: {
            symbol: 'none',
            lineStyle: { color: COLOURS[1], type: 'dashed' },
            label: { formatter: 'target 98%' },
            data: [{ yAxis: payments.target_rate * 100 }],
          },
        },
      ],
    },
    true,
  )
}

function lines(days, series) {
  return {
    color: COLOURS,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 50, right: 20, top: 30, bottom: 30 },
    xAxis: { type: 'category', data: days.map((d) => d.slice(5)) },
    yAxis: { type: 'value' },
    series: series.map(([name, data]) => ({ name, type: 'line', data })),
  }
}

function bars(labels, values, unit, colour, horizontal = false) {
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

function notice(text) {
  return { title: { text, left: 'center', top: 'middle', textStyle: { color: '#888', fontSize: 13 } } }
}
