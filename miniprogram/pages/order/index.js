/**
 * Order confirmation and payment. Opened with the fresh hold (`?hold_id=&showtime_id=`) or an
 * unpaid order (`?order_id=`). Shows the seats, the amount and a countdown to the hold's
 * expiry; "pay" creates the order and asks the service for WeChat Pay parameters, each with an
 * idempotency key kept for retries, runs wx.requestPayment and waits for the service to confirm
 * the payment (its callback from WeChat Pay, not the client, makes an order paid) before showing
 * the tickets. Before the order is made the moviegoer may pick one of their coupons and spend
 * points and add snacks (卖品, <snack-picker>); the price and its breakdown (member price, coupon,
 * points, snacks) come from the service's quote. Paying itself is lib/payment.js. An unpaid
 * order of snacks alone (卖品) is paid here too: no seats, so no seat words.
 */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const payment = require('../../lib/payment')
const { describeOrder } = require('../../lib/orders')
const { breakdownLines, quoteWithPoints, pointsText } = require('../../lib/price')
const { yuan, dayAndClock, remainingMs, mmss, seatIdLabels } = require('../../lib/format')
const analytics = require('../../lib/analytics')

Page(
  analytics.tracked('pages/order', {
    data: {
      phase: 'loading',
      title: '',
      cinema: '',
      when: '',
      seats: '',
      amount: '',
      lines: [],
      cinemaId: 0,
      snacks: [],
      coupons: [],
      couponIndex: 0,
      usePoints: false,
      pointsText: '',
      countdown: '',
      message: '',
      snacksOnly: false,
    },

    async onLoad(query) {
      this.query = query
      this.setData({ phase: 'loading', message: '' })
      try {
        if (query.order_id) {
          this.order = await services.order(query.order_id)
          const view = describeOrder(this.order)
          this.expiresAt = this.order.expires_at
          this.setData({
            title: view.title,
            cinema: view.place,
            when: view.when,
            seats: view.seats,
            amount: view.amount,
            lines: breakdownLines(this.order.price),
            snacks: this.order.snacks || [],
            snacksOnly: view.snacksOnly,
          })
          if (!view.payable) {
            wx.redirectTo({ url: `/pages/ticket/index?id=${this.order.id}` })
            return
          }
        } else {
          this.holdId = query.hold_id
          const [hold, showtime] = await Promise.all([
            services.hold(query.hold_id),
            services.showtime(query.showtime_id),
          ])
          this.expiresAt = hold.expires_at
          this.setData({
            title: showtime.movie_title,
            cinema: `${showtime.cinema_name} ${showtime.hall_name}`,
            when: dayAndClock(showtime.starts_at),
            seats: seatIdLabels(hold.seats, i18n.currentLocale()),
            amount: yuan(hold.amount_fen),
            cinemaId: showtime.cinema_id || 0,
          })
          await this.loadChoices()
        }
        this.setData({ phase: 'ready' })
        this.tick()
        this.timer = setInterval(() => this.tick(), 1000)
      } catch (err) {
        this.setData({ phase: 'error', message: i18n.errorMessage(err) })
      }
    },

    retry() {
      return this.onLoad(this.query)
    },

    /** My usable coupons and points, then the quote. Any of it missing: the list price stands. */
    async loadChoices() {
      try {
        const [mine, membership] = await Promise.all([services.myCoupons(true), services.membership()])
        this.couponIds = [null].concat(mine.items.map((c) => c.id))
        this.balance = membership.points || 0
        this.setData({ coupons: ['不使用优惠券'].concat(mine.items.map((c) => c.campaign.name)) })
      } catch (err) {
        this.couponIds = [null]
        this.balance = 0
      }
      await this.requote()
    },

    /** What the service says the order would cost with the current choice (lib/price.js). */
    async requote() {
      try {
        const { quoted, maxPoints } = await quoteWithPoints(
          (choice) => services.quote(this.holdId, choice),
          this.choice(),
          this.balance,
          this.data.usePoints
        )
        this.maxPoints = maxPoints
        this.setData({
          amount: yuan(quoted.price.paid_fen),
          lines: breakdownLines(quoted.price),
          pointsText: pointsText(maxPoints, quoted),
          message: '',
        })
      } catch (err) {
        this.setData({ message: i18n.errorMessage(err) })
      }
    },

    /** The coupon, points and snacks asked for: `{}` when none, as an order without them is sent. */
    choice() {
      const choice = {}
      const couponId = (this.couponIds || [])[this.data.couponIndex]
      if (couponId) choice.coupon_id = couponId
      if (this.data.usePoints && this.maxPoints > 0) choice.points = this.maxPoints
      if (this.snackLines && this.snackLines.length) choice.snacks = this.snackLines
      return choice
    },

    /** The snack picker's cart changed: a new request, priced again by the service. */
    async onSnacks(event) {
      if (this.order) return
      this.orderKey = null
      this.snackLines = event.detail.lines
      await this.requote()
    },

    async pickCoupon(event) {
      if (this.order) return // made already, with the choice it was made with
      this.orderKey = null // another request: a fresh idempotency key
      this.setData({ couponIndex: Number(event.detail.value) })
      await this.requote()
    },

    async togglePoints(event) {
      if (this.order) return
      this.orderKey = null
      this.setData({ usePoints: Boolean(event.detail.value) })
      await this.requote()
    },

    onUnload() {
      if (this.timer) clearInterval(this.timer)
    },

    tick() {
      if (!this.expiresAt) return
      const left = remainingMs(this.expiresAt)
      this.setData({ countdown: mmss(left) })
      if (left === 0 && this.data.phase === 'ready') {
        clearInterval(this.timer)
        const why = this.data.snacksOnly ? 'snacks_order_expired' : 'hold_expired'
        this.setData({ phase: 'expired', message: i18n.t(why) })
      }
    },

    async pay() {
      if (this.data.phase !== 'ready') return
      this.setData({ phase: 'paying', message: '' })
      try {
        if (!this.order) {
          this.orderKey = this.orderKey || services.newIdempotencyKey()
          const choice = this.choice()
          this.order = await services.createOrder(
            this.holdId,
            this.orderKey,
            Object.keys(choice).length ? choice : undefined
          )
          analytics.step('order_created', { order_id: this.order.id })
          if (this.order.expires_at) this.expiresAt = this.order.expires_at
        }
        this.payKey = this.payKey || services.newIdempotencyKey()
        const confirmed = await payment.payOrder(this.order.id, this.payKey, () =>
          analytics.step('pay_started', { order_id: this.order.id })
        )
        wx.showToast({
          title: i18n.t(confirmed ? 'paid' : 'payment_pending'),
          icon: confirmed ? 'success' : 'none',
        })
        wx.redirectTo({ url: `/pages/ticket/index?id=${this.order.id}` })
      } catch (err) {
        const expired = err.code === 'hold_expired'
        if (!/^payment_(cancelled|failed)$/.test(err.code)) analytics.error(err.code)
        const cancelled = err.code === 'payment_cancelled' && this.data.snacksOnly
        this.setData({
          phase: expired ? 'expired' : 'ready',
          message: cancelled ? i18n.t('snacks_payment_cancelled') : i18n.errorMessage(err),
        })
      }
    },

    /** Give up: cancel the unpaid order (or release the hold) so the seats are free at once. */
    async cancel() {
      if (this.timer) clearInterval(this.timer)
      try {
        if (this.order) await services.cancelOrder(this.order.id)
        else if (this.holdId) await services.releaseHold(this.holdId)
      } catch (err) {
        // Expired, already cancelled or released: the seats are free either way.
      }
      wx.navigateBack()
    },
  })
)
