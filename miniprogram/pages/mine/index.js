/**
 * Mine (the Mine tab): who is signed in (or a button to sign in with WeChat), and the way to my
 * orders, my favourites and the member centre. Those pages sign in by themselves when opened
 * signed out.
 */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const analytics = require('../../lib/analytics')

Page(
  analytics.tracked('pages/mine', {
    data: { user: null, error: '' },

    onShow() {
      this.setData({ user: services.currentUser() })
    },

    async signIn() {
      try {
        const session = await services.signIn()
        this.setData({ user: session.user, error: '' })
      } catch (err) {
        this.setData({ error: i18n.errorMessage(err) })
      }
    },

    signOut() {
      services.signOut()
      this.setData({ user: null })
    },

    openOrders() {
      wx.navigateTo({ url: '/pages/orders/index' })
    },

    openFavourites() {
      wx.navigateTo({ url: '/pages/favourites/index' })
    },

    openMember() {
      wx.navigateTo({ url: '/pages/member/index' })
    },
  })
)
