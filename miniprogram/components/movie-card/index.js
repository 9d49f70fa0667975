/**
 * <movie-card movie="{{movie}}">: one movie in a list (poster, title, score or release date,
 * genres, how many want to see it). Tapping it opens the movie's page.
 */
const config = require('../../config')
const { displayNames } = require('../../lib/format')

Component({
  properties: {
    movie: { type: Object, value: {} },
  },

  data: { poster: '', score: '', genres: '' },

  observers: {
    movie(movie) {
      if (!movie) return
      this.setData({
        poster: config.mediaUrl(movie.poster_url),
        score: typeof movie.score === 'number' ? movie.score.toFixed(1) : '',
        genres: displayNames(movie.genre_names, movie.genres),
      })
    },
  },

  methods: {
    open() {
      wx.navigateTo({ url: `/pages/movie/index?id=${this.data.movie.id}` })
    },
  },
})
