/**
 * The box office net of discounts: for the dashboard's period and cinemas, what the sold orders
 * listed at, what member prices, coupons and points took off, what was paid, and what each coupon
 * campaign cost (GET /api/v1/staff/boxoffice/discounts). The box-office view makes the panel and
 * calls its load() with the same query as its other reports.
 */

import { api } from './api.js'
import { el, yuan } from './dom.js'

const PARTS = [
  ['net_fen', 'paid', '#2f8f9d'],
  ['member_discount_fen', 'member prices', '#3d7be0'],
  ['coupon_fen', 'coupons', '#c8323e'],
  ['points_fen', 'points', '#d9822b'],
]

export function discountsPanel() {
  const kpis = el('div', 'c-kpis')
  kpis.id = 'discount-kpis'
  kpis.style.gridTemplateColumns = 'repeat(5, 1fr)'
  const bar = el('div', 'c-chart')
  bar.id = 'chart-discounts'
  bar.style.height = '120px'
  const campaigns = el('div')
  campaigns.style.marginTop = '8px'
  const node = el('div', 'c-card', el('h2', '', 'Net of discounts'), kpis, bar, campaigns)
  node.id = 'boxoffice-discounts'
  node.style.margin = '10px 0'
  let chart = null

  async function load(query) {
    const found = await api(`/api/v1/staff/boxoffice/discounts?${query}`)
    kpis.replaceChildren(
      kpi(yuan(found.list_fen), `list price, ${found.orders} orders`),
      kpi(`−${yuan(found.member_discount_fen)}`, 'member prices'),
      kpi(`−${yuan(found.coupon_fen)}`, 'coupons'),
      kpi(`−${yuan(found.points_fen)}`, `points (${found.points_used})`),
      kpi(yuan(found.net_fen), 'paid, net of discounts'),
    )
    if (chart === null) chart = window.echarts.init(bar, null, { renderer: 'canvas' })
    chart.setOption(shares(found), true)
    campaigns.replaceChildren(campaignTable(found.campaigns))
  }

  return {
    node,
    load,
    dispose() {
      if (chart !== null) chart.dispose()
    },
  }
}

function kpi(value, label) {
  return el('div', 'c-card c-kpi', el('strong', '', value), el('span', '', label))
}

/** One stacked bar: the list price split into what was paid and what each discount took. */
function shares(found) {
  return {
    tooltip: { trigger: 'item', valueFormatter: (value) => `¥${value.toFixed(2)}` },
    legend: { top: 0 },
    grid: { left: 10, right: 20, top: 30, bottom: 20 },
    xAxis: { type: 'value', max: Math.max(found.list_fen / 100, 0.01), axisLabel: { formatter: '¥{value}' } },
    yAxis: { type: 'category', data: [''], show: false },
    series: PARTS.map(([key, name, colour]) => ({
      name,
      type: 'bar',
      stack: 'list',
      barWidth: 28,
      color: colour,
      data: [found[key] / 100],
    })),
  }
}

function campaignTable(campaigns) {
  const head = el('tr', '', ...['Campaign', 'Kind', 'Orders', 'Cost'].map((h, i) => el('th', i > 1 ? 'num' : '', h)))
  const rows = campaigns.length
    ? campaigns.map((c) =>
        el('tr', '', el('td', '', c.name), el('td', '', c.kind), el('td', 'num', String(c.redemptions)), el('td', 'num', yuan(c.cost_fen))),
      )
    : [el('tr', '', el('td', '', 'No coupon was used in this period.'))]
  const table = el('table', 'c-table', el('thead', '', head), el('tbody', '', ...rows))
  table.id = 'campaign-costs'
  return table
}
