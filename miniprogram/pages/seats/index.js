/**
 * Seat selection for one showtime (`?showtime_id=`): the showtime's facts above the live
 * seat map; once the map holds the picked seats, on to the order confirmation. In exchange mode
 * (`&exchange=ORDER_ID&count=N`, from the 改签 flow) the user picks as many seats as the order has
 * and the hold goes on to the exchange's confirmation instead.
 */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const { clock, isoDate } = require('../../lib/format')
const analytics = require('../../lib/analytics')
const admission = require('../../lib/admission')

Page(
  analytics.tracked('pages/seats', {
    data: { showtimeId: 0, showtime: null, when: '', error: '', bestPlacement: 'below', exchangeCount: 0 },

    async onLoad(query) {
      const showtimeId = Number(query.showtime_id)
      const loading = services.showtime(showtimeId)
      if (await this.mustQueue(showtimeId, await loading.catch(() => null))) return
      this.exchangeOrderId = query.exchange || ''
      if (this.exchangeOrderId) this.setData({ exchangeCount: Number(query.count) || 0 })
      analytics.step('seatmap_opened', { showtime_id: showtimeId })
      analytics
        .variant('best_seats_position', 'below')
        .then((bestPlacement) => this.setData({ bestPlacement }))
      try {
        const showtime = await loading
        wx.setNavigationBarTitle({ title: showtime.movie_title })
        this.setData({
          showtime,
          when: `${isoDate(showtime.starts_at)} ${clock(showtime.starts_at)}-${clock(showtime.ends_at)}`,
        })
      } catch (err) {
        this.setData({ error: i18n.errorMessage(err) })
      }
      this.setData({ showtimeId })
    },

    /**
     * A premiere's on-sale goes through its waiting room: without an admission token, take a
     * place; not admitted yet, on to the waiting page (true). No room (the showtime says so in
     * `waiting_room`, or could not be read and the line answers no_waiting_room): pick seats.
     */
    async mustQueue(showtimeId, showtime) {
      if (showtime && !showtime.waiting_room) return false
      if (admission.token(showtimeId)) return false
      try {
        const place = await services.joinLine(showtimeId)
        if (place.admitted) {
          admission.remember(showtimeId, place.token, place.token_expires_at)
          return false
        }
      } catch (err) {
        return false // no_waiting_room (or the line cannot be asked: holds then say why)
      }
      wx.redirectTo({ url: `/pages/waiting/index?showtime_id=${showtimeId}` })
      return true
    },

    onHeld(event) {
      const hold = event.detail.hold
      if (this.exchangeOrderId) {
        const order = encodeURIComponent(this.exchangeOrderId)
        const held = encodeURIComponent(hold.id)
        wx.navigateTo({
          url: `/pages/exchange-confirm/index?order_id=${order}&hold_id=${held}&showtime_id=${this.data.showtimeId}`,
        })
        return
      }
      wx.navigateTo({
        url: `/pages/order/index?hold_id=${encodeURIComponent(hold.id)}&showtime_id=${this.data.showtimeId}`,
      })
    },
  })
)
