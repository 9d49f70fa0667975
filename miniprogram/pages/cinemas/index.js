/**
 * Cinemas (the Cinemas tab): the cinemas of the chosen city, nearest first once the user lets
 * the app know where they are (wx.getLocation), each with its distance, today's lowest price and
 * formats; a search over names and addresses; pull down to refresh. The chosen city is
 * remembered on the device and shown on the home page.
 */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const wxp = require('../../lib/wxp')
const { yuan, distance } = require('../../lib/format')
const analytics = require('../../lib/analytics')

const CITY_KEY = 'seatcore.city'

function row(cinema, locale) {
  return {
    id: cinema.id,
    name: cinema.name,
    address: cinema.address,
    distance: distance(cinema.distance_m, locale),
    price:
      cinema.price_from_fen === null || cinema.price_from_fen === undefined
        ? ''
        : yuan(cinema.price_from_fen),
    formats: cinema.format_names || cinema.formats || [],
  }
}

Page(
  analytics.tracked('pages/cinemas', {
    data: {
      cities: [],
      city: '',
      cinemas: [],
      query: '',
      located: false,
      error: '',
      loading: true,
    },

    position: null,

    async onLoad() {
      await this.locate()
      await this.loadCities()
      if (this.data.city) await this.list()
      this.setData({ loading: false })
    },

    async onPullDownRefresh() {
      await this.list()
      wx.stopPullDownRefresh()
    },

    async loadCities() {
      try {
        const cities = (await services.cities()).items
        const saved = wx.getStorageSync(CITY_KEY)
        const known = cities.find((c) => c.city === saved)
        const city = known ? saved : (await this.nearestCity()) || (cities.length ? cities[0].city : '')
        if (city) wx.setStorageSync(CITY_KEY, city)
        this.setData({ cities, city, error: '' })
      } catch (err) {
        this.setData({ error: i18n.errorMessage(err) })
      }
    },

    /** Where the user is, if they allow it; the list works without (no distances). */
    async locate() {
      try {
        const where = await wxp.call(wx, 'getLocation', { type: 'wgs84' })
        this.position = { lat: where.latitude, lng: where.longitude }
        this.setData({ located: true })
      } catch (err) {
        this.position = null
        this.setData({ located: false })
      }
    },

    /** The city of the nearest cinema, when the user's position is known: a first visit opens there. */
    async nearestCity() {
      if (!this.position) return ''
      const nearest = (await services.cinemas(this.position)).items[0]
      return nearest ? nearest.city : ''
    },

    /** "Allow location" tapped: ask again (WeChat shows its settings once refused), then re-list. */
    async askLocation() {
      await this.locate()
      if (!this.position && wx.openSetting) {
        const settings = await wxp.call(wx, 'openSetting').catch(() => null)
        if (settings && settings.authSetting && settings.authSetting['scope.userLocation'])
          await this.locate()
      }
      return this.list()
    },

    async list() {
      this.setData({ loading: true })
      const query = Object.assign({ city: this.data.city, q: this.data.query.trim() }, this.position || {})
      try {
        const answer = await services.cinemas(query)
        const locale = i18n.currentLocale()
        this.setData({ cinemas: answer.items.map((c) => row(c, locale)), error: '' })
      } catch (err) {
        this.setData({ error: i18n.errorMessage(err) })
      }
      this.setData({ loading: false })
    },

    pickCity(event) {
      const city = event.currentTarget.dataset.city
      wx.setStorageSync(CITY_KEY, city)
      this.setData({ city })
      return this.list()
    },

    onQueryInput(event) {
      this.setData({ query: event.detail.value })
    },

    search() {
      return this.list()
    },

    clearSearch() {
      this.setData({ query: '' })
      return this.list()
    },

    retry() {
      return this.data.cities.length ? this.list() : this.onLoad()
    },

    openCinema(event) {
      wx.navigateTo({ url: `/pages/showtimes/index?cinema_id=${event.currentTarget.dataset.id}` })
    },
  })
)
