/**
 * A movie: poster, score, synopsis and cast, the want-to-see toggle with its count, and the way
 * to its showtimes. Marking "want to see" signs in with wx.login if needed.
 */
const config = require('../../config')
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const { displayNames } = require('../../lib/format')
const analytics = require('../../lib/analytics')

Page(
  analytics.tracked('pages/movie', {
    data: {
      movie: null,
      poster: '',
      score: '',
      genres: '',
      cast: '',
      wanted: false,
      wantCount: 0,
      error: '',
      busy: false,
      loading: true,
    },

    onLoad(query) {
      this.movieId = Number(query.id)
      analytics.step('movie_opened', { movie_id: this.movieId })
      return this.load()
    },

    /** Shared to a chat, the card opens this movie's page. */
    onShareAppMessage() {
      const movie = this.data.movie
      return {
        title: movie ? `${movie.title}${this.data.score ? ` ${this.data.score}分` : ''}` : '影票',
        path: `/pages/movie/index?id=${this.movieId}`,
        imageUrl: this.data.poster || undefined,
      }
    },

    async load() {
      this.setData({ loading: true, error: '' })
      try {
        const movie = await services.movie(this.movieId)
        wx.setNavigationBarTitle({ title: movie.title })
        this.setData({
          movie,
          poster: config.mediaUrl(movie.poster_url),
          score: typeof movie.score === 'number' ? movie.score.toFixed(1) : '',
          genres: displayNames(movie.genre_names, movie.genres),
          cast: (movie.cast || []).join(' / '),
          wanted: Boolean(movie.wanted),
          wantCount: movie.want_count,
          error: '',
        })
      } catch (err) {
        this.setData({ error: i18n.errorMessage(err) })
      }
      this.setData({ loading: false })
    },

    async toggleWant() {
      if (this.data.busy) return
      this.setData({ busy: true })
      try {
        const answer = this.data.wanted
          ? await services.unwant(this.movieId)
          : await services.want(this.movieId)
        this.setData({ wanted: answer.wanted, wantCount: answer.want_count, error: '' })
      } catch (err) {
        this.setData({ error: i18n.errorMessage(err) })
      }
      this.setData({ busy: false })
    },

    openShowtimes() {
      wx.navigateTo({ url: `/pages/showtimes/index?movie_id=${this.movieId}` })
    },
  })
)
