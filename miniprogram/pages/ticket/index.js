/**
 * One order (`?id=`): each seat's ticket code and QR code for the entrance, its snacks with the
 * pickup code and QR (<pickup-card>), the order's status, 猜你喜欢 once it is paid
 * (<recommendations>), and two ways out of it: 改签 (exchange, while the order allows it:
 * lib/exchange.js) and a refund whose quote (the fee, and what comes back: money, points,
 * coupon) is shown before the user confirms it, or why the cinema refuses it.
 *
 * A just-paid order is `paid` until the service has written it and issued the tickets; the page
 * looks again every second for a while. Ticket QR images need the token, so they are downloaded.
 * An order of snacks alone (卖品) shows its cinema, its pickup code and, until the snacks are
 * picked up, a refund without fee; an unpaid order leads back to its payment.
 */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const wxp = require('../../lib/wxp')
const { describeOrder, isPaid } = require('../../lib/orders')
const { exchangeState } = require('../../lib/exchange')
const { refundQuoteView } = require('../../lib/refund-quote')
const { seatIdLabel } = require('../../lib/format')
const analytics = require('../../lib/analytics')

const ISSUE_POLL_MS = 1000
const ISSUE_POLLS = 30

Page(
  analytics.tracked('pages/ticket', {
    data: {
      order: null,
      tickets: [],
      snacks: [],
      pickup: null,
      exchange: null,
      quote: null,
      paid: false,
      note: '',
      error: '',
      busy: false,
    },

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
      this.raw = order
      const issuing = order.status === 'paid'
      const view = describeOrder(order)
      if (view.snacksOnly) wx.setNavigationBarTitle({ title: '卖品订单' })
      this.setData({
        order: view,
        tickets: (order.tickets || []).map((ticket) => ({
          seat: seatIdLabel(ticket.seat, i18n.currentLocale()),
          code: ticket.code,
          live: ticket.live,
          qr: '',
        })),
        snacks: order.snacks || [],
        pickup: order.pickup || null,
        exchange: order.showtime ? exchangeState(order, Date.now()) : null,
        paid: isPaid(order),
        quote: null,
        note: issuing && !view.snacksOnly ? i18n.t('tickets_coming') : '',
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

    /** An unpaid order: on to its payment (the order page, which pays it as it pays any). */
    pay() {
      wx.navigateTo({ url: `/pages/order/index?order_id=${encodeURIComponent(this.orderId)}` })
    },

    exchange() {
      const state = this.data.exchange
      if (!state || !state.allowed) {
        wx.showToast({
          title: state && state.exchanged ? '每个订单只能改签一次' : '已过改签时间',
          icon: 'none',
        })
        return
      }
      wx.navigateTo({ url: `/pages/exchange/index?order_id=${encodeURIComponent(this.orderId)}` })
    },

    /**
     * "申请退票": the quote first, shown on the page (the fee and what comes back, or why the
     * cinema's policy refuses); the user confirms it there.
     */
    async refund() {
      const order = this.data.order
      if (!order || this.data.busy) return
      this.setData({ busy: true })
      try {
        const quote = await services.refundQuote(this.orderId)
        this.setData({ quote: refundQuoteView(quote, this.raw), busy: false, error: '' })
      } catch (err) {
        this.setData({ busy: false })
        // A service without quotes: the cinema's deadline in words, confirmed in a dialog.
        if (err.code === 'not_found') await this.confirmWithPolicy()
        else this.setData({ error: i18n.errorMessage(err) })
      }
    },

    async confirmWithPolicy() {
      if (!this.data.order.refund.allowed) {
        wx.showToast({ title: i18n.t('refund_unavailable'), icon: 'none' })
        return
      }
      const answer = await wxp.call(wx, 'showModal', {
        title: i18n.t('refund_confirm'),
        content: this.data.order.refund.text,
      })
      if (answer.confirm) await this.confirmRefund()
    },

    closeQuote() {
      this.setData({ quote: null })
    },

    async confirmRefund() {
      if (this.data.busy) return
      this.setData({ busy: true })
      this.refundKey = this.refundKey || services.newIdempotencyKey()
      try {
        await services.refundOrder(this.orderId, this.refundKey)
        const done = this.data.order.snacksOnly ? 'snacks_refund_done' : 'refund_done'
        wx.showToast({ title: i18n.t(done), icon: 'success' })
        await this.load()
      } catch (err) {
        this.setData({ error: i18n.errorMessage(err), quote: null })
      }
      this.setData({ busy: false })
    },
  })
)
