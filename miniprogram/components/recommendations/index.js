/**
 * <recommendations limit="10">: the 猜你喜欢 row, movies picked for the caller
 * (GET /api/v1/recommendations) as a sideways-scrolling row of posters, each with its reason
 * ("因为你想看《X》") when the pick is personal. Loads itself; without picks (none, or the call
 * failed) it draws nothing, so the page around it is one row shorter. Tapping opens the movie.
 */
const config = require('../../config')
const services = require('../../lib/services')

Component({
  properties: {
    limit: { type: Number, value: 10 },
    title: { type: String, value: '猜你喜欢' },
  },

  data: { picks: [] },

  lifetimes: {
    attached() {
      return this.load()
    },
  },

  methods: {
    async load() {
      try {
        const found = await services.recommendations(this.data.limit)
        this.setData({
          picks: found.items.map((movie) => ({
            id: movie.id,
            title: movie.title,
            poster: config.mediaUrl(movie.poster_url),
            reason: movie.reason || '',
            score: typeof movie.score === 'number' ? movie.score.toFixed(1) : '',
          })),
        })
      } catch (err) {
        this.setData({ picks: [] })
      }
    },

    open(event) {
      wx.navigateTo({ url: `/pages/movie/index?id=${event.currentTarget.dataset.id}` })
    },
  },
})
