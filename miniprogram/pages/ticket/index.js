/**
 * One order's tickets (`?id=`): each seat's ticket code and QR code for the entrance, the
 * order's status, and a refund with the policy explained before the user confirms it.
 *
 * A just-paid order is `paid` until the service has written it and issued the tickets; the page
 * looks again every second for a while. QR images need the token, so they are downloaded.
 */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const wxp = require('../../lib/wxp')
const { describeOrder } = require('../../lib/orders')
const { seatIdLabel } = require('../../lib/format')
const analytics = require('../../lib/analytics')

const ISSUE_POLL_MS = 1000
const ISSUE_POLLS = 30

Page(analytics.tracked('pages/ticket', {
  data: { order: null, tickets: [], note: '', error: '', busy: false },

  onLoad(query) {
    this.orderId = query.id
    this.polls = 0
    return this.load()
  },

  onUnload() {
    if (this.pollTimer) clearTimeout(this.pollTimer)
  },

  async load() {
    let order
    try {
      order = await services.order(this.orderId)
    } catch (err) {
      this.setData({ error: i18n.errorMessage(err) })
      return
    }
    const issuing = order.status === 'paid'
    const tickets = (order.tickets || []).map((ticket) => ({
      seat: seatIdLabel(ticket.seat, i18n.currentLocale()),
      code: ticket.code,
      live: ticket.live,
      qr: '',
    }))
    this.setData({
      order: describeOrder(order),
      tickets,
      note: issuing ? i18n.t('tickets_coming') : '',
      error: '',
    })
    if (issuing && this.polls < ISSUE_POLLS) {
      this.polls += 1
      this.pollTimer = setTimeout(() => this.load(), ISSUE_POLL_MS)
    }
    await Promise.all((order.tickets || []).map((ticket, i) => this.showQr(ticket, i)))
  },

  async showQr(ticket, index) {
    if (!ticket.live || !ticket.qr_url) return
    try {
      const path = await services.ticketQr(ticket.qr_url)
      this.setData({ [`tickets[${index}].qr`]: path })
    } catch (err) {
      this.setData({ error: i18n.errorMessage(err) })
    }
  },

  previewQr(event) {
    const url = event.currentTarget.dataset.url
    wx.previewImage({ urls: [url], current: url })
  },

  async refund() {
    const order = this.data.order
    if (!order || this.data.busy) return
    if (!order.refund.allowed) {
      wx.showToast({ title: i18n.t('refund_unavailable'), icon: 'none' })
      return
    }
    const answer = await wxp.call(wx, 'showModal', {
      title: i18n.t('refund_confirm'),
      content: order.refund.text,
    })
    if (!answer.confirm) return
    this.setData({ busy: true })
    this.refundKey = this.refundKey || services.newIdempotencyKey()
    try {
      await services.refundOrder(this.orderId, this.refundKey)
      wx.showToast({ title: i18n.t('refund_done'), icon: 'success' })
      await this.load()
    } catch (err) {
      this.setData({ error: i18n.errorMessage(err) })
    }
    this.setData({ busy: false })
  },
}))
