/**
 * 改签, step one (`?order_id=`): the order's showtime, and the other showtimes of the same movie
 * at the same cinema by date, to move it to. Picking one opens the seat page in exchange mode
 * (as many seats as the order has); the held seats go on to the confirmation (exchange-confirm).
 */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const { describeOrder } = require('../../lib/orders')
const { todayIn, dateTabs } = require('../../lib/format')
const { showtimeRow } = require('../../lib/showtime-row')
const analytics = require('../../lib/analytics')

const DAYS = 5
const DEFAULT_ZONE = 'Asia/Shanghai'

Page(
  analytics.tracked('pages/exchange', {
    data: { phase: 'loading', current: null, dates: [], date: '', showtimes: [], error: '' },

    async onLoad(query) {
      this.orderId = query.order_id
      try {
        const order = await services.order(this.orderId)
        this.seatCount = (order.seats || []).length
        const showtime = await services.showtime(order.showtime.id)
        const cinema = await services.cinema(showtime.cinema_id).catch(() => ({}))
        this.showtime = showtime
        const dates = dateTabs(todayIn(cinema.timezone || DEFAULT_ZONE), DAYS, i18n.currentLocale())
        this.setData({ current: describeOrder(order), dates, phase: 'ready' })
        await this.showDate(dates[0].date)
      } catch (err) {
        this.setData({ phase: 'error', error: i18n.errorMessage(err) })
      }
    },

    pickDate(event) {
      return this.showDate(event.currentTarget.dataset.date)
    },

    async showDate(date) {
      this.setData({ date })
      try {
        const answer = await services.showtimes({
          movie_id: this.showtime.movie_id,
          cinema_id: this.showtime.cinema_id,
          date,
        })
        const now = Date.now()
        const others = answer.items.filter((s) => s.id !== this.showtime.id && Date.parse(s.starts_at) > now)
        this.setData({ showtimes: others.map(showtimeRow), error: '' })
      } catch (err) {
        this.setData({ showtimes: [], error: i18n.errorMessage(err) })
      }
    },

    pick(event) {
      const { id, open } = event.currentTarget.dataset
      if (!open) {
        wx.showToast({ title: i18n.t('sales_closed'), icon: 'none' })
        return
      }
      wx.navigateTo({
        url: `/pages/seats/index?showtime_id=${id}&exchange=${encodeURIComponent(this.orderId)}&count=${this.seatCount}`,
      })
    },
  })
)
