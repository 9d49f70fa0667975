/**
 * The app. Nothing happens at launch on purpose: browsing needs no account, and sign-in
 * (wx.login) happens on the first request that needs it (lib/session.js).
 */
App({
  onError(message) {
    console.error('seatcore app error', message)
  },
})
