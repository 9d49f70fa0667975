/**
 * The member centre: join for free, my tier with the progress to the next, my points with their
 * history, my coupons (the wallet), and the coupon centre to claim from or a code to redeem.
 */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const { yuan } = require('../../lib/format')

const KIND_TEXT = {
  earn: '购票获得',
  reserve: '下单使用',
  return: '退回',
  reverse: '退票扣回',
  expire: '过期',
  adjust: '调整',
}
const STATE_TEXT = { available: '可使用', reserved: '下单占用中', used: '已使用' }

/** What a campaign gives, in a few characters: "减¥5", "8折 最多减¥20", "¥19.9观影". */
function couponText(campaign) {
  if (campaign.kind === 'amount') return `减${yuan(campaign.value)}`
  if (campaign.kind === 'percent') {
    const off = `${(100 - campaign.value) / 10}折`
    return campaign.cap_fen ? `${off} 最多减${yuan(campaign.cap_fen)}` : off
  }
  return `${yuan(campaign.value)}观影`
}

function minSpendText(campaign) {
  return campaign.min_spend_fen ? `满${yuan(campaign.min_spend_fen)}可用` : '无门槛'
}

Page({
  data: {
    phase: 'loading',
    member: false,
    tier: '',
    points: 0,
    next: '',
    percent: 0,
    history: [],
    coupons: [],
    centre: [],
    code: '',
    message: '',
  },

  async onShow() {
    await this.refresh()
  },

  async refresh() {
    try {
      const [membership, mine, centre] = await Promise.all([
        services.membership(),
        services.myCoupons(false),
        services.couponCentre(),
      ])
      const history = membership.member ? (await services.myPoints()).items : []
      this.setData({
        phase: 'ready',
        member: membership.member,
        tier: membership.tier ? membership.tier.name : '',
        points: membership.points,
        next: membership.next_tier
          ? `再消费${yuan(membership.progress.needed_fen)}升级${membership.next_tier.name}`
          : '已是最高等级',
        percent: membership.progress ? membership.progress.percent : 0,
        history: history.map((line) => ({
          id: line.id,
          what: KIND_TEXT[line.kind] || line.kind,
          points: line.points > 0 ? `+${line.points}` : `${line.points}`,
        })),
        coupons: mine.items.map((c) => ({
          id: c.id,
          name: c.campaign.name,
          value: couponText(c.campaign),
          rule: minSpendText(c.campaign),
          state: STATE_TEXT[c.state] || c.state,
        })),
        centre: centre.items.map((c) => ({
          id: c.id,
          name: c.name,
          value: couponText(c),
          rule: minSpendText(c),
        })),
      })
    } catch (err) {
      this.setData({ phase: 'error', message: i18n.errorMessage(err) })
    }
  },

  async join() {
    try {
      await services.join()
      await this.refresh()
    } catch (err) {
      this.setData({ message: i18n.errorMessage(err) })
    }
  },

  async claim(event) {
    await this.claimWith({ campaign_id: Number(event.currentTarget.dataset.id) })
  },

  onCode(event) {
    this.setData({ code: event.detail.value })
  },

  async redeem() {
    const code = this.data.code.trim()
    if (code) await this.claimWith({ code })
  },

  async claimWith(body) {
    try {
      await services.claimCoupon(body)
      wx.showToast({ title: '领取成功', icon: 'success' })
      this.setData({ code: '', message: '' })
      await this.refresh()
    } catch (err) {
      this.setData({ message: i18n.errorMessage(err) })
    }
  },
})
