/**
 * My orders: the signed-in moviegoer's orders, newest first, more on scrolling down. An unpaid
 * order opens the payment page, any other its tickets.
 */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const { describeOrder } = require('../../lib/orders')
const analytics = require('../../lib/analytics')

Page(
  analytics.tracked('pages/orders', {
    data: { orders: [], error: '', loading: true, more: false },

    onShow() {
      return this.reload()
    },

    async onPullDownRefresh() {
      await this.reload()
      wx.stopPullDownRefresh()
    },

    onReachBottom() {
      return this.data.more ? this.fetch(this.cursor) : undefined
    },

    reload() {
      this.cursor = null
      return this.fetch(null)
    },

    async fetch(cursor) {
      this.setData({ loading: true })
      try {
        const page = await services.myOrders(cursor)
        const now = Date.now()
        const rows = page.items.map((order) => describeOrder(order, now))
        this.cursor = page.next_cursor
        this.setData({
          orders: cursor ? this.data.orders.concat(rows) : rows,
          more: Boolean(page.next_cursor),
          error: '',
        })
      } catch (err) {
        this.setData({ error: i18n.errorMessage(err) })
      }
      this.setData({ loading: false })
    },

    openOrder(event) {
      const { id, payable } = event.currentTarget.dataset
      const url = payable ? `/pages/order/index?order_id=${id}` : `/pages/ticket/index?id=${id}`
      wx.navigateTo({ url })
    },
  })
)
