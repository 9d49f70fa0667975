/**
 * Showtimes by date: a cinema's schedule (`?cinema_id=`, grouped by movie) or a movie's
 * (`?movie_id=`, grouped by cinema), or both; `&date=` opens that day (shared links carry it). Date tabs run from today in the cinema's time
 * zone; each showtime shows its hall, language and format, end time and lowest price. A cinema's
 * page also leads to its snacks (卖品), bought alone.
 */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const { todayIn, dateTabs } = require('../../lib/format')
const { showtimeRow } = require('../../lib/showtime-row')
const analytics = require('../../lib/analytics')

const DAYS = 7
const DEFAULT_ZONE = 'Asia/Shanghai'

function groupBy(showtimes, key, title) {
  const groups = []
  showtimes.forEach((showtime) => {
    let group = groups.find((g) => g.key === showtime[key])
    if (!group) {
      group = { key: showtime[key], title: showtime[title], items: [] }
      groups.push(group)
    }
    group.items.push(showtimeRow(showtime))
  })
  return groups
}

Page(
  analytics.tracked('pages/showtimes', {
    data: { title: '', subtitle: '', cinemaId: 0, dates: [], date: '', groups: [], error: '', loading: true },

    async onLoad(query) {
      this.cinemaId = query.cinema_id ? Number(query.cinema_id) : null
      this.movieId = query.movie_id ? Number(query.movie_id) : null
      this.setData({ cinemaId: this.cinemaId || 0 })
      if (this.movieId)
        analytics.step('showtimes_opened', { movie_id: this.movieId, cinema_id: this.cinemaId })
      let zone = DEFAULT_ZONE
      try {
        if (this.cinemaId) {
          const cinema = await services.cinema(this.cinemaId)
          zone = cinema.timezone || DEFAULT_ZONE
          this.setData({ title: cinema.name, subtitle: cinema.address })
        }
        if (this.movieId) {
          const movie = await services.movie(this.movieId)
          if (this.cinemaId) this.setData({ subtitle: movie.title })
          else this.setData({ title: movie.title })
        }
      } catch (err) {
        this.setData({ error: i18n.errorMessage(err) })
      }
      const dates = dateTabs(todayIn(zone), DAYS, i18n.currentLocale())
      const asked = dates.find((d) => d.date === query.date)
      this.setData({ dates })
      await this.showDate(asked ? asked.date : dates[0].date)
    },

    async onPullDownRefresh() {
      if (this.data.date) await this.showDate(this.data.date)
      wx.stopPullDownRefresh()
    },

    /** Shared to a chat, the card opens this schedule on the same day. */
    onShareAppMessage() {
      const query = [
        this.cinemaId ? `cinema_id=${this.cinemaId}` : '',
        this.movieId ? `movie_id=${this.movieId}` : '',
        this.data.date ? `date=${this.data.date}` : '',
      ].filter(Boolean)
      return {
        title: [this.data.title, this.data.subtitle].filter(Boolean).join(' · ') || '选择场次',
        path: `/pages/showtimes/index?${query.join('&')}`,
      }
    },

    retry() {
      return this.showDate(this.data.date)
    },

    pickDate(event) {
      return this.showDate(event.currentTarget.dataset.date)
    },

    async showDate(date) {
      this.setData({ date, loading: true })
      try {
        const answer = await services.showtimes({
          cinema_id: this.cinemaId,
          movie_id: this.movieId,
          date,
        })
        const groups = this.cinemaId
          ? groupBy(answer.items, 'movie_id', 'movie_title')
          : groupBy(answer.items, 'cinema_id', 'cinema_name')
        this.setData({ groups, error: '' })
      } catch (err) {
        this.setData({ groups: [], error: i18n.errorMessage(err) })
      }
      this.setData({ loading: false })
    },

    /** The cinema's snacks (卖品) bought alone. */
    openSnacks() {
      wx.navigateTo({ url: `/pages/snacks/index?cinema_id=${this.cinemaId}` })
    },

    openShowtime(event) {
      const { id, open } = event.currentTarget.dataset
      if (!open) {
        wx.showToast({ title: i18n.t('sales_closed'), icon: 'none' })
        return
      }
      wx.navigateTo({ url: `/pages/seats/index?showtime_id=${id}` })
    },
  })
)
