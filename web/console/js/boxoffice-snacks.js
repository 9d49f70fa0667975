/**
 * The box office's snack panel: snack revenue and the best sellers over the dashboard's period
 * (GET /api/v1/staff/boxoffice/snacks), beside the ticket figures. boxoffice.js calls
 * `snackPanel` once with its container and `draw` on every reload.
 */

import { api } from './api.js'
import { el, yuan } from './dom.js'

export function snackPanel(container) {
  const card = el('div', 'c-card')
  card.id = 'snack-panel'
  const totals = el('p', 'c-muted')
  const box = el('div', 'c-chart')
  box.id = 'chart-snacks'
  card.append(el('h2', '', 'Snacks: revenue and best sellers'), totals, box)
  container.append(card)
  const chart = window.echarts.init(box, null, { renderer: 'canvas' })

  async function draw({ start, end, cinemaId }) {
    const params = new URLSearchParams({ from: start, to: end })
    if (cinemaId) params.set('cinema_id', String(cinemaId))
    const sales = await api(`/api/v1/staff/boxoffice/snacks?${params}`)
    totals.textContent = `${yuan(sales.revenue_fen)} from ${sales.qty} snacks`
    const best = sales.best_sellers.slice(0, 8).reverse()
    chart.setOption(
      {
        color: ['#d9822b'],
        tooltip: { trigger: 'axis' },
        grid: { left: 120, right: 20, top: 20, bottom: 30 },
        xAxis: { type: 'value', name: '¥' },
        yAxis: { type: 'category', data: best.map((s) => s.name), axisLabel: { width: 110, overflow: 'truncate' } },
        series: [{ type: 'bar', name: '¥', data: best.map((s) => s.revenue_fen / 100) }],
      },
      true,
    )
  }

  return { draw, resize: () => chart.resize(), dispose: () => chart.dispose() }
}
