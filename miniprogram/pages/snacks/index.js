/**
 * Snacks alone (卖品, `?cinema_id=`), reached from the cinema's page: the cinema's items and combos
 * (<snack-picker>), the total, and "pay": `POST /api/v1/snack-orders` then the same payment as any
 * order (lib/payment.js), each call with an idempotency key kept for its retries; the paid order's
 * page shows the pickup code and QR. Changing the cart after the order was made cancels that order
 * (its stock goes back) and the next "pay" makes a new one; a changed cart is another request, so
 * it takes a fresh key even when the last one was refused (sold out). Turning points on or off
 * changes the request just as much.
 *
 * A member with points sees "积分抵扣" with a switch, as at checkout (lib/price.js): each cart is
 * quoted (`POST /api/v1/snack-orders/quote`) to learn how many points it could take, and again
 * with them when the switch is on, the total then being the quote's. Only the latest cart's answer
 * counts. A refused quote (over the cap, the service busy) is shown and leaves the order without
 * points; non-members, and a membership that cannot be read, see no points at all.
 */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const payment = require('../../lib/payment')
const { quoteWithPoints, pointsText } = require('../../lib/price')
const { yuan } = require('../../lib/format')
const analytics = require('../../lib/analytics')

Page(
  analytics.tracked('pages/snacks', {
    data: {
      cinemaId: 0,
      cinema: null,
      count: 0,
      total: '¥0',
      empty: false,
      phase: 'ready',
      message: '',
      usePoints: false,
      pointsText: '',
    },

    async onLoad(query) {
      const cinemaId = Number(query.cinema_id)
      this.lines = []
      this.cartFen = 0
      this.balance = 0
      this.maxPoints = 0
      this.quotes = 0
      this.setData({ cinemaId })
      await Promise.all([this.loadCinema(cinemaId), this.loadPoints()])
    },

    async loadCinema(cinemaId) {
      try {
        this.setData({ cinema: await services.cinema(cinemaId) })
      } catch (err) {
        this.setData({ message: i18n.errorMessage(err) })
      }
    },

    /** The member's points; none for a non-member, or when the membership cannot be read. */
    async loadPoints() {
      try {
        this.balance = (await services.membership()).points || 0
      } catch (err) {
        this.balance = 0
      }
      if (this.lines.length) await this.requote()
    },

    onMenu(event) {
      this.setData({ empty: event.detail.count === 0 })
    },

    onSnacks(event) {
      this.lines = event.detail.lines
      this.cartFen = event.detail.totalFen
      this.setData({ count: event.detail.count, total: yuan(this.cartFen), message: '' })
      return Promise.all([this.choiceChanged(), this.requote()])
    },

    togglePoints(event) {
      this.setData({ usePoints: Boolean(event.detail.value), message: '' })
      return Promise.all([this.choiceChanged(), this.requote()])
    },

    /** Another request from now on: a fresh key, and the order made from the old choice given up. */
    choiceChanged() {
      this.orderKey = null
      // While paying, the order being paid stays; it is given up only if the payment fails.
      if (this.data.phase === 'paying') this.changedWhilePaying = true
      else return this.dropOrder()
    },

    /** The order made from an older cart or points choice: cancelled, so its stock goes back at once. */
    async dropOrder() {
      this.changedWhilePaying = false
      const stale = this.order
      this.order = null
      this.payKey = null
      if (stale) await services.cancelOrder(stale.id).catch(() => null)
    },

    /** Price the cart as it is now with the points choice; "pay" waits for it (`this.quoting`). */
    requote() {
      this.quoting = this.quote((this.quotes += 1))
      return this.quoting
    },

    /** Quote number `asked`: its answer is shown only while no later cart has been asked about. */
    async quote(asked) {
      const cinemaId = this.data.cinemaId
      const lines = this.lines
      if (!(this.balance > 0) || !lines.length) {
        this.maxPoints = 0
        this.setData({ pointsText: '', total: yuan(this.cartFen) })
        return
      }
      try {
        const { quoted, maxPoints, points } = await quoteWithPoints(
          (choice) => services.quoteSnackOrder(cinemaId, lines, choice.points),
          {},
          this.balance,
          this.data.usePoints
        )
        if (asked !== this.quotes) return
        this.maxPoints = maxPoints
        this.setData({
          pointsText: pointsText(maxPoints, quoted),
          total: yuan(points ? quoted.price.paid_fen : this.cartFen),
        })
      } catch (err) {
        if (asked !== this.quotes) return
        // Buying without points still works: the refusal is shown and the order takes none.
        this.maxPoints = 0
        this.setData({
          usePoints: false,
          pointsText: '',
          total: yuan(this.cartFen),
          message: i18n.t('snacks_points_off', { reason: i18n.errorMessage(err) }),
        })
      }
    },

    /** The points the order spends: as many as the cart can take, when the switch is on. */
    points() {
      return this.data.usePoints ? this.maxPoints : 0
    },

    /**
     * The order of this cart. The service keeps one unpaid order of snacks per moviegoer and
     * cinema: one left from an earlier visit (the page closed before paying) is cancelled, so its
     * stock goes back, and this cart ordered instead (once; a refusal then is shown).
     */
    async makeOrder() {
      this.orderKey = this.orderKey || services.newIdempotencyKey()
      const make = () =>
        services.createSnackOrder(this.data.cinemaId, this.lines, this.orderKey, this.points())
      try {
        return await make()
      } catch (err) {
        const left = err.code === 'unpaid_order_exists' && err.details.order_id
        if (!left) throw err
        await services.cancelOrder(left)
        this.orderKey = services.newIdempotencyKey() // the refused call is answered as refused
        return make()
      }
    },

    async pay() {
      if (this.data.phase !== 'ready') return
      if (!this.lines.length) {
        wx.showToast({ title: '请先选择卖品', icon: 'none' })
        return
      }
      this.setData({ phase: 'paying', message: '' })
      try {
        await this.quoting
        if (!this.order) this.order = await this.makeOrder()
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
        if (this.changedWhilePaying) await this.dropOrder()
      }
    },
  })
)
