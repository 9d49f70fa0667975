/**
 * Cinemas (the Cinemas tab): pick a city, see its cinemas, open one's showtimes. The chosen
 * city is remembered on the device.
 */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')

const CITY_KEY = 'seatcore.city'

Page({
  data: { cities: [], city: '', cinemas: [], error: '', loading: true },

  async onLoad() {
    try {
      const answer = await services.cities()
      const cities = answer.items
      const saved = wx.getStorageSync(CITY_KEY)
      const known = cities.find((c) => c.city === saved)
      const city = known ? saved : cities.length ? cities[0].city : ''
      this.setData({ cities })
      if (city) await this.showCity(city)
    } catch (err) {
      this.setData({ error: i18n.errorMessage(err) })
    }
    this.setData({ loading: false })
  },

  async onPullDownRefresh() {
    if (this.data.city) await this.showCity(this.data.city)
    wx.stopPullDownRefresh()
  },

  pickCity(event) {
    return this.showCity(event.currentTarget.dataset.city)
  },

  async showCity(city) {
    wx.setStorageSync(CITY_KEY, city)
    this.setData({ city, error: '' })
    try {
      const answer = await services.cinemas(city)
      this.setData({ cinemas: answer.items })
    } catch (err) {
      this.setData({ error: i18n.errorMessage(err) })
    }
  },

  openCinema(event) {
    wx.navigateTo({ url: `/pages/showtimes/index?cinema_id=${event.currentTarget.dataset.id}` })
  },
})
