/**
 * Seat selection for one showtime (`?showtime_id=`): the showtime's facts above the live
 * seat map; once the map holds the picked seats, on to the order confirmation.
 */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const { clock, isoDate } = require('../../lib/format')
const analytics = require('../../lib/analytics')

Page(analytics.tracked('pages/seats', {
  data: { showtimeId: 0, showtime: null, when: '', error: '', bestPlacement: 'below' },

  async onLoad(query) {
    const showtimeId = Number(query.showtime_id)
    analytics.step('seatmap_opened', { showtime_id: showtimeId })
    analytics.variant('best_seats_position', 'below').then((bestPlacement) => this.setData({ bestPlacement }))
    try {
      const showtime = await services.showtime(showtimeId)
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

  onHeld(event) {
    const hold = event.detail.hold
    wx.navigateTo({
      url: `/pages/order/index?hold_id=${encodeURIComponent(hold.id)}&showtime_id=${this.data.showtimeId}`,
    })
  },
}))
