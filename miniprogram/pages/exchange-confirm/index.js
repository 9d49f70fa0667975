/**
 * 改签, the confirmation (`?order_id=&hold_id=&showtime_id=`): the old showtime and seats against
 * the new ones held for it, and the service's quote (`GET /orders/{id}/exchange-quote`): the
 * difference, the fee or the member's free exchange, what will be paid or come back. A refusal
 * from the quote (cut-off passed, already exchanged...) is shown and the button stays off; then
 * `POST /orders/{id}/exchange {"hold_id"}` with an idempotency key kept for retries. A dearer
 * exchange answers 202 with a second payment: WeChat Pay's sheet (lib/payment.js), then the same
 * call again with the same hold (a fresh key: another request) until the service has the payment
 * and the exchange is done. The outcome (fee, money paid or coming back) leads to the new tickets.
 */
const config = require('../../config')
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const wxp = require('../../lib/wxp')
const payment = require('../../lib/payment')
const { describeOrder } = require('../../lib/orders')
const { ticketMoneyFen, differenceView, quoteView, outcomeLines } = require('../../lib/exchange')
const { dayAndClock, seatIdLabels, remainingMs, mmss } = require('../../lib/format')
const analytics = require('../../lib/analytics')

Page(
  analytics.tracked('pages/exchange-confirm', {
    data: {
      phase: 'loading',
      old: null,
      fresh: null,
      price: null,
      countdown: '',
      outcome: [],
      message: '',
    },

    async onLoad(query) {
      this.query = query
      try {
        const [order, hold, showtime, quoted] = await Promise.all([
          services.order(query.order_id),
          services.hold(query.hold_id),
          services.showtime(query.showtime_id),
          services.exchangeQuote(query.order_id, query.hold_id).then(
            (quote) => ({ quote }),
            (refusal) => ({ refusal })
          ),
        ])
        this.expiresAt = hold.expires_at
        const { quote, refusal } = quoted
        this.setData({
          phase: quote ? 'ready' : 'refused',
          message: refusal ? i18n.errorMessage(refusal) : '',
          old: describeOrder(order),
          fresh: {
            cinema: `${showtime.cinema_name} ${showtime.hall_name}`,
            when: dayAndClock(showtime.starts_at),
            seats: seatIdLabels(hold.seats, i18n.currentLocale()),
          },
          price: quote ? quoteView(quote) : differenceView(ticketMoneyFen(order), hold.amount_fen),
        })
        this.tick()
        this.timer = setInterval(() => this.tick(), 1000)
      } catch (err) {
        this.setData({ phase: 'error', message: i18n.errorMessage(err) })
      }
    },

    onUnload() {
      if (this.timer) clearInterval(this.timer)
    },

    tick() {
      const left = remainingMs(this.expiresAt)
      this.setData({ countdown: mmss(left) })
      if (left === 0 && this.data.phase === 'ready') {
        clearInterval(this.timer)
        this.setData({ phase: 'expired', message: i18n.t('hold_expired') })
      }
    },

    async confirm() {
      if (this.data.phase !== 'ready') return
      this.setData({ phase: 'working', message: '' })
      try {
        let answer = await this.call()
        if (answer.exchange.state === 'paying') {
          await payment.paymentSheet(null, answer.exchange.pay_params)
          answer = await this.untilPaid()
        }
        if (this.timer) clearInterval(this.timer)
        this.setData({
          phase: answer ? 'done' : 'pending',
          outcome: answer ? outcomeLines(answer.exchange) : [],
        })
        if (!answer) this.setData({ message: i18n.t('payment_pending') })
      } catch (err) {
        const over = ['hold_expired', 'already_exchanged', 'exchange_closed', 'exchange_abandoned']
        this.setData({
          phase: over.includes(err.code) ? 'expired' : 'ready',
          message: i18n.errorMessage(err),
        })
        if (err.code === 'free_exchange_used') await this.requote()
      }
    },

    /** The quote again (the member's last free exchange went to another order meanwhile). */
    async requote() {
      try {
        const quote = await services.exchangeQuote(this.query.order_id, this.query.hold_id)
        this.setData({ price: quoteView(quote) })
      } catch (err) {
        this.setData({ phase: 'refused', message: i18n.errorMessage(err) })
      }
    },

    /** The exchange call; the key is kept until the service has answered this request. */
    async call() {
      this.key = this.key || services.newIdempotencyKey()
      const answer = await services.exchangeOrder(this.query.order_id, this.query.hold_id, this.key)
      this.key = null
      return answer
    },

    /** After the second payment: ask again until the service has it (null when it takes too long). */
    async untilPaid() {
      const deadline = Date.now() + config.paymentConfirmTimeoutMs
      for (;;) {
        const answer = await this.call()
        if (answer.exchange.state !== 'paying') return answer
        if (Date.now() + payment.POLL_MS > deadline) return null
        await wxp.sleep(payment.POLL_MS)
      }
    },

    openTickets() {
      wx.redirectTo({ url: `/pages/ticket/index?id=${encodeURIComponent(this.query.order_id)}` })
    },

    /** Not now: the held seats go back on sale at once. */
    async cancel() {
      if (this.timer) clearInterval(this.timer)
      await services.releaseHold(this.query.hold_id).catch(() => null)
      wx.navigateBack()
    },
  })
)
