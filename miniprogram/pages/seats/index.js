/**
 * Seat selection for one showtime (`?showtime_id=`): the showtime's facts above the live
 * seat map; once the map holds the picked seats, on to the order confirmation.
 */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const { clock, isoDate } = require('../../lib/format')
const analytics = require('../../lib/analytics')
const admission = require('../../lib/admission')

Page(analytics.tracked('pages/seats', {
  data: { showtimeId: 0, showtime: null, when: '', error: '', bestPlacement: 'below' },

  async onLoad(query) {
    const showtimeId = Number(query.showtime_id)
    if (await this.mustQueue(showtimeId)) return
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

  /**
   * A premiere's on-sale goes through its waiting room: without an admission token, take a
   * place; not admitted yet, on to the waiting page (true). No room: pick seats as ever.
   */
  async mustQueue(showtimeId) {
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
    wx.navigateTo({
      url: `/pages/order/index?hold_id=${encodeURIComponent(hold.id)}&showtime_id=${this.data.showtimeId}`,
    })
  },
}))
