/**
 * Snacks alone (卖品, `?cinema_id=`), reached from the cinema's page: the cinema's items and combos
 * (<snack-picker>), the total, and "pay": `POST /api/v1/snack-orders` then the same payment as any
 * order (lib/payment.js), each call with an idempotency key kept for its retries; the paid order's
 * page shows the pickup code and QR. Changing the cart after the order was made cancels that order
 * (its stock goes back) and the next "pay" makes a new one; a changed cart is another request, so
 * it takes a fresh key even when the last one was refused (sold out).
 */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const payment = require('../../lib/payment')
const { yuan } = require('../../lib/format')
const analytics = require('../../lib/analytics')

Page(
  analytics.tracked('pages/snacks', {
    data: { cinemaId: 0, cinema: null, count: 0, total: '¥0', empty: false, phase: 'ready', message: '' },

    async onLoad(query) {
      const cinemaId = Number(query.cinema_id)
      this.lines = []
      this.setData({ cinemaId })
      try {
        this.setData({ cinema: await services.cinema(cinemaId) })
      } catch (err) {
        this.setData({ message: i18n.errorMessage(err) })
      }
    },

    onMenu(event) {
      this.setData({ empty: event.detail.count === 0 })
    },

    onSnacks(event) {
      this.lines = event.detail.lines
      this.setData({ count: event.detail.count, total: yuan(event.detail.totalFen), message: '' })
      this.orderKey = null
      // While paying, the order being paid stays; it is given up only if the payment fails.
      if (this.data.phase === 'paying') this.cartChanged = true
      else return this.dropOrder()
    },

    /** The order made from an older cart: cancelled, so its stock goes back at once. */
    async dropOrder() {
      this.cartChanged = false
      const stale = this.order
      this.order = null
      this.payKey = null
      if (stale) await services.cancelOrder(stale.id).catch(() => null)
    },

    async pay() {
      if (this.data.phase !== 'ready') return
      if (!this.lines.length) {
        wx.showToast({ title: '请先选择卖品', icon: 'none' })
        return
      }
      this.setData({ phase: 'paying', message: '' })
      try {
        if (!this.order) {
          this.orderKey = this.orderKey || services.newIdempotencyKey()
          this.order = await services.createSnackOrder(this.data.cinemaId, this.lines, this.orderKey)
        }
        this.payKey = this.payKey || services.newIdempotencyKey()
        const confirmed = await payment.payOrder(this.order.id, this.payKey)
        wx.showToast({
          title: i18n.t(confirmed ? 'paid' : 'payment_pending'),
          icon: confirmed ? 'success' : 'none',
        })
        wx.redirectTo({ url: `/pages/ticket/index?id=${encodeURIComponent(this.order.id)}` })
      } catch (err) {
        const cancelled = err.code === 'payment_cancelled'
        this.setData({
          phase: 'ready',
          message: cancelled ? i18n.t('snacks_payment_cancelled') : i18n.errorMessage(err),
        })
        if (this.cartChanged) await this.dropOrder()
      }
    },
  })
)
