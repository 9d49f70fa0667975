/** My favourites: the movies marked "want to see", more on scrolling down. */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const analytics = require('../../lib/analytics')

Page(
  analytics.tracked('pages/favourites', {
    data: { movies: [], error: '', loading: true },

    onShow() {
      this.cursor = null
      return this.fetch(null)
    },

    async onPullDownRefresh() {
      this.cursor = null
      await this.fetch(null)
      wx.stopPullDownRefresh()
    },

    onReachBottom() {
      return this.cursor ? this.fetch(this.cursor) : undefined
    },

    async fetch(cursor) {
      this.setData({ loading: true })
      try {
        const page = await services.favourites(cursor)
        this.cursor = page.next_cursor
        this.setData({ movies: cursor ? this.data.movies.concat(page.items) : page.items, error: '' })
      } catch (err) {
        this.setData({ error: i18n.errorMessage(err) })
      }
      this.setData({ loading: false })
    },
  })
)
