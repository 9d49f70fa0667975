/**
 * A premiere's waiting room (`?showtime_id=`): the fan's place in line and an estimated wait,
 * pushed over the room's socket (lib/waiting-room.js), a bar that fills as the line moves; once
 * admitted, "轮到你了" and on to the seat page, whose holds then carry the admission token.
 */
const services = require('../../lib/services')
const i18n = require('../../lib/i18n')
const admission = require('../../lib/admission')
const { clock, isoDate } = require('../../lib/format')
const { WaitingLine, WaitingSocket, waitText } = require('../../lib/waiting-room')

const ON_TO_SEATS_MS = 1200

Page({
  data: {
    showtimeId: 0,
    showtime: null,
    when: '',
    labels: {},
    open: false,
    aheadText: '…',
    eta: '',
    progressPct: 0,
    admitted: false,
    reconnecting: false,
    error: '',
  },

  async onLoad(query) {
    const showtimeId = Number(query.showtime_id)
    this.setData({ showtimeId, labels: i18n.labels('waiting') })
    wx.setNavigationBarTitle({ title: i18n.t('waiting_title') })
    this.line = new WaitingLine()
    this.socket = new WaitingSocket({
      showtimeId,
      onFrame: (frame) => this.onFrame(frame),
      onStatus: (status, code) => this.onStatus(status, code),
      getToken: (fresh) => this.token(fresh),
    })
    this.socket.start()
    try {
      const showtime = await services.showtime(showtimeId)
      this.setData({
        showtime,
        when: `${isoDate(showtime.starts_at)} ${clock(showtime.starts_at)}`,
      })
    } catch (err) {
      // The line matters more than the facts above it.
    }
  },

  onUnload() {
    if (this.socket) this.socket.stop()
    clearTimeout(this.onward)
  },

  token(fresh) {
    if (!fresh) return services.token() || services.signIn().then((session) => session.token)
    services.signOut()
    return services.signIn().then((session) => session.token)
  },

  onFrame(frame) {
    const line = this.line
    line.apply(frame)
    if (line.admission) {
      admission.remember(this.data.showtimeId, line.admission.token, line.admission.expiresAt)
      this.setData({ admitted: true, progressPct: 100, reconnecting: false })
      this.onward = setTimeout(() => this.toSeats(), ON_TO_SEATS_MS)
      return
    }
    if (line.closed) {
      this.toSeats()
      return
    }
    this.setData({
      open: line.open,
      aheadText: line.ahead() === null ? '…' : String(line.ahead()),
      eta: waitText(line.waitS()),
      progressPct: Math.round(line.progress() * 100),
      reconnecting: false,
    })
  },

  onStatus(status, code) {
    if (status === 'reconnecting') this.setData({ reconnecting: true })
    if (status === 'failed') {
      if (code === 'no_waiting_room') this.toSeats()
      else this.setData({ error: i18n.errorMessage({ code }) })
    }
  },

  toSeats() {
    wx.redirectTo({ url: `/pages/seats/index?showtime_id=${this.data.showtimeId}` })
  },

  async leave() {
    if (this.socket) this.socket.stop()
    try {
      await services.leaveLine(this.data.showtimeId)
    } catch (err) {
      // Leaving anyway: the place lapses after the grace period.
    }
    wx.navigateBack()
  },
})
