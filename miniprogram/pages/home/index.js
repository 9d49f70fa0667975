/**
 * Home (the Movies tab): the chosen city (tap it to change it on the Cinemas tab), a carousel of
 * hot movies drawn as landscape banners from their posters, the now showing / coming soon lists
 * (more on scrolling down), the 猜你喜欢 row (<recommendations>) and a search over titles.
 */
const config = require('../../config')
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const { displayNames } = require('../../lib/format')
const analytics = require('../../lib/analytics')

const CITY_KEY = 'seatcore.city'

const STATUSES = ['showing', 'coming']

Page(
  analytics.tracked('pages/home', {
    data: {
      hot: [],
      tab: 'showing',
      lists: { showing: [], coming: [] },
      query: '',
      results: null,
      city: '',
      error: '',
      loading: true,
    },

    cursors: { showing: null, coming: null },

    onLoad() {
      return this.load()
    },

    onShow() {
      this.setData({ city: wx.getStorageSync(CITY_KEY) || '' })
    },

    onShareAppMessage() {
      return { title: '影票：热映电影，在线选座', path: '/pages/home/index' }
    },

    pickCity() {
      wx.switchTab({ url: '/pages/cinemas/index' })
    },

    async onPullDownRefresh() {
      await this.load()
      wx.stopPullDownRefresh()
    },

    onReachBottom() {
      return this.more(this.data.tab)
    },

    async load() {
      this.setData({ loading: true, error: '' })
      try {
        const [hot, showing, coming] = await Promise.all([
          services.hotMovies(),
          services.movies({ status: 'showing' }),
          services.movies({ status: 'coming' }),
        ])
        this.cursors = { showing: showing.next_cursor, coming: coming.next_cursor }
        this.setData({
          hot: hot.items.map((movie) =>
            Object.assign(
              {
                poster: config.mediaUrl(movie.poster_url),
                scoreText: typeof movie.score === 'number' ? movie.score.toFixed(1) : '',
                genreText: displayNames(movie.genre_names, movie.genres),
              },
              movie
            )
          ),
          lists: { showing: showing.items, coming: coming.items },
        })
      } catch (err) {
        this.setData({ error: i18n.errorMessage(err) })
      }
      this.setData({ loading: false })
    },

    async more(status) {
      const cursor = this.cursors[status]
      if (!cursor || this.loadingMore) return
      this.loadingMore = true
      try {
        const page = await services.movies({ status, cursor })
        this.cursors[status] = page.next_cursor
        this.setData({ [`lists.${status}`]: this.data.lists[status].concat(page.items) })
      } catch (err) {
        this.setData({ error: i18n.errorMessage(err) })
      }
      this.loadingMore = false
    },

    switchTab(event) {
      const tab = event.currentTarget.dataset.tab
      if (STATUSES.includes(tab)) this.setData({ tab })
    },

    onQueryInput(event) {
      this.setData({ query: event.detail.value })
      if (!event.detail.value) this.setData({ results: null })
    },

    async search() {
      const q = this.data.query.trim()
      if (!q) {
        this.setData({ results: null })
        return
      }
      try {
        const found = await services.movies({ q })
        this.setData({ results: found.items, error: '' })
      } catch (err) {
        this.setData({ error: i18n.errorMessage(err) })
      }
    },

    clearSearch() {
      this.setData({ query: '', results: null })
    },

    openMovie(event) {
      wx.navigateTo({ url: `/pages/movie/index?id=${event.currentTarget.dataset.id}` })
    },
  })
)
