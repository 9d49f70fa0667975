/**
 * <seat-map showtime-id="{{id}}" bind:held="onHeld">: the live seat map of one showtime.
 *
 * Loads the snapshot (GET /showtimes/{id}/seats), keeps it live over the showtime's WebSocket,
 * lets the user pick seats (couple seats as pairs, at most maxSeats), asks the service for the
 * best N seats, and holds the picked seats on "confirm". The no-stranded-seat rule is checked as
 * the user taps (lib/seat-rules.js, the server's rule and message), so a pick that would leave a
 * lone seat is named at once and confirm makes no round trip; the server still checks on hold.
 * Refusals are shown in the user's language from their error codes. Fires `held` with `{hold}`
 * once the caller holds exactly the picked seats, and `change` with `{selection, totalFen}`.
 *
 * The map opens with the whole hall fitted to the width and centred on the screen's centre line
 * (lib/seat-grid.js's fitHall); pinch, drag, the zoom buttons or a double tap zoom in (where
 * tapped); the row labels follow the rows while panning; a large hall zoomed in shows an overview
 * thumbnail with the visible part. Rules live in lib/ (seat-state, seat-rules, live-socket); this
 * component only draws them and turns taps into calls.
 */
const services = require('../../lib/services')
const { SeatState } = require('../../lib/seat-state')
const { LiveSocket } = require('../../lib/live-socket')
const { buildGrid, fitHall } = require('../../lib/seat-grid')
const { seatName } = require('../../lib/seat-labels')
const { strandedRefusal } = require('../../lib/seat-rules')
const { seatView } = require('../../lib/seat-view')
const { yuan } = require('../../lib/format')
const i18n = require('../../lib/i18n')
const viewer = require('./viewer')
const analytics = require('../../lib/analytics')

const SCALE_STEP = 0.5
const DOUBLE_TAP_MS = 300
const BEST_COUNTS = [1, 2, 3, 4]
const VIEW_TEXT = {
  zh: { title: '座位视野', caption: '距银幕约{m}米 · 银幕占视野{deg}°' },
  en: { title: 'View from this seat', caption: 'About {m} m from the screen · it fills {deg}° of view' },
}

Component({
  properties: {
    showtimeId: { type: Number, value: 0 },
    // The experiment best_seats_position: the best-seats buttons above the map or below it.
    bestPlacement: { type: String, value: 'below' },
    maxSeats: { type: Number, value: 0 },
  },

  data: Object.assign(
    {
      phase: 'loading',
      labels: {},
      rows: [],
      zones: [],
      columns: 0,
      selection: [],
      total: '',
      refusal: '',
      live: '',
      best: [],
      busy: false,
      salesOpen: true,
      hasHold: false,
      viewTitle: '',
      viewCaption: '',
    },
    viewer.initialData()
  ),

  lifetimes: {
    attached() {
      const locale = i18n.currentLocale()
      this.locale = locale
      this.setData({
        labels: i18n.labels('map', locale),
        best: BEST_COUNTS.map((count) => ({ count, text: i18n.t('map_best', { count }, locale) })),
        viewTitle: VIEW_TEXT[locale].title,
      })
      if (this.data.showtimeId) this.load()
    },
    detached() {
      if (this.socket) this.socket.stop()
    },
  },

  pageLifetimes: {
    show() {
      if (this.socket && !this.socket.running) this.socket.start()
    },
    hide() {
      if (this.socket) this.socket.stop()
    },
  },

  methods: Object.assign({}, viewer.methods, {
    /** Fetch the snapshot, draw the hall and go live. Resolves when the map is drawn. */
    async load() {
      if (this.socket) this.socket.stop()
      this.setData({ phase: 'loading', refusal: '' })
      let snapshot
      try {
        snapshot = await services.seatMap(this.data.showtimeId)
      } catch (err) {
        this.setData({ phase: 'error', refusal: i18n.errorMessage(err, this.locale) })
        return
      }
      const maxSeats = this.data.maxSeats || undefined
      this.layout = snapshot.layout
      this.seatState = new SeatState(snapshot.layout, snapshot.prices, { maxSeats })
      this.seatState.applySnapshot(snapshot)
      if (snapshot.my_hold) this.seatState.setHold(snapshot.my_hold)
      this.hold = snapshot.my_hold || null
      this.warned = []
      const grid = buildGrid(snapshot.layout, snapshot.prices, (id) => this.seatState.view(id), {
        locale: this.locale,
      })
      this.index = grid.index
      const fit = fitHall(snapshot.layout, this._windowWidth())
      this.setData(
        Object.assign(
          {
            phase: 'ready',
            rows: grid.rows,
            zones: grid.zones,
            columns: grid.columns,
            salesOpen: snapshot.sales_open !== false,
          },
          this._fitData(fit, grid.blocks, snapshot.layout.rows.length),
          this._selectionData()
        )
      )
      this.socket = new LiveSocket({
        showtimeId: this.data.showtimeId,
        state: this.seatState,
        getToken: (fresh) => this._token(fresh),
        onUpdate: (update) => this._onLive(update),
        onStatus: (status, code) => this._onStatus(status, code),
      })
      this.socket.start()
    },

    onSeatTap(event) {
      if (!this.seatState || this.data.busy) return
      const id = event.currentTarget.dataset.id
      const seats = this.seatState.group(id)
      const result = this.seatState.toggle(id)
      if (!result.ok) {
        this._refuse({ code: result.code, details: Object.assign({ seats }, result.details) })
        return
      }
      this._redraw(seats, { refusal: '' })
      if (this.seatState.picks.has(id)) analytics.step('seat_picked', { showtime_id: this.data.showtimeId })
    },

    /** A tap on the hall: two in a row zoom in where tapped (or back out to the whole hall). */
    onHallTap(event) {
      if (event.target && event.target.dataset && event.target.dataset.id) return
      const now = Date.now()
      const double = this.lastHallTap && now - this.lastHallTap < DOUBLE_TAP_MS
      this.lastHallTap = double ? 0 : now
      if (!double) return
      const detail = event.detail || {}
      const at = this.areaTop === undefined ? null : { x: detail.x, y: detail.y - this.areaTop }
      this._zoomTo(this.pan.scale > 1.5 ? 1 : 2.5, at)
    },

    /** "Best seats for N": the service picks and holds the best block at once. */
    async onBest(event) {
      const count = Number(event.currentTarget.dataset.count)
      analytics.step('hold_asked', { showtime_id: this.data.showtimeId })
      await this._busy(async () => {
        await this._releaseHold()
        await this._holding(() => services.holdBest(this.data.showtimeId, count))
      })
    },

    /** Hold the picked seats (unless already held as they are) and hand the hold to the page. */
    async onConfirm() {
      if (!this.seatState) return
      if (!this.seatState.picks.size) {
        this._refuse({ code: 'no_seats_picked' })
        return
      }
      const stranded = this.seatState.stranded()
      if (stranded.length && !this.seatState.holdMatchesPicks()) {
        this._refuse(strandedRefusal(stranded))
        return
      }
      analytics.step('hold_asked', { showtime_id: this.data.showtimeId })
      await this._busy(async () => {
        if (!this.seatState.holdMatchesPicks()) {
          await this._releaseHold()
          const picks = this.seatState.selection().map((seat) => seat.id)
          const access = this.seatState.picksNeedAccess()
          await this._holding(() => services.holdSeats(this.data.showtimeId, picks, access))
        }
        this.triggerEvent('held', { hold: this.hold })
      })
    },

    async onRelease() {
      await this._busy(() => this._releaseHold())
    },

    zoomIn() {
      this._zoomTo(this.pan.scale + SCALE_STEP)
    },

    zoomOut() {
      this._zoomTo(this.pan.scale - SCALE_STEP)
    },

    /** The token for the socket; `fresh` when the last one was refused (sign in again). */
    _token(fresh) {
      if (!fresh) return services.token()
      services.signOut()
      return services.signIn().then((session) => session.token)
    },

    async _busy(work) {
      if (this.data.busy) return
      this.setData({ busy: true, refusal: '' })
      try {
        await work()
      } catch (err) {
        this._refuse(err)
      } finally {
        this.setData({ busy: false })
      }
    },

    /** Ask for a hold; its seats become mine. Picks others took meanwhile are reported after. */
    async _holding(ask) {
      const before = this.seatState.selection().map((seat) => seat.id)
      this.seatState.beginHold()
      let hold
      try {
        hold = await ask()
        this.seatState.setHold(hold)
        this.hold = hold
      } finally {
        const lost = this.seatState.endHold()
        const extra = lost.length
          ? { refusal: i18n.t('seat_taken_live', { seats: this._names(lost) }, this.locale) }
          : {}
        this._redraw(before.concat(hold ? hold.seats : lost), extra)
      }
    },

    async _releaseHold() {
      if (!this.hold) return
      const hold = this.hold
      this.hold = null
      const mine = Array.from(this.seatState.mine)
      this.seatState.clearHold()
      this._redraw(mine)
      try {
        await services.releaseHold(hold.id)
      } catch (err) {
        // An expired or already released hold is gone either way.
        if (err.code !== 'hold_expired' && err.code !== 'not_found') throw err
      }
    },

    _onLive(update) {
      const extra = {}
      if (update.lost.length) {
        extra.refusal = i18n.t('seat_taken_live', { seats: this._names(update.lost) }, this.locale)
      }
      if (this.hold && !this.seatState.myHoldId) this.hold = null
      this._redraw(update.changed, extra)
    },

    _onStatus(status, code) {
      let live = ''
      if (status === 'reconnecting') live = i18n.t('live_reconnecting', {}, this.locale)
      if (status === 'failed') live = `${i18n.t('live_offline', {}, this.locale)} (${code})`
      if (live !== this.data.live) this.setData({ live })
    },

    /** Show why something was refused. */
    _refuse(error) {
      analytics.error(error.code)
      this.setData({ refusal: this._explain(error) })
    },

    /** Why something was refused, in the user's language; seat ids named as people read them. */
    _explain(error) {
      const details = Object.assign({}, error.details)
      if (Array.isArray(details.seats)) details.seats = this._names(details.seats)
      const shown = { code: error.code, message: error.message, retryAfterS: error.retryAfterS, details }
      return i18n.errorMessage(shown, this.locale)
    },

    _names(ids) {
      return ids.map((id) => {
        const seat = this.seatState && this.seatState.seats[id]
        return seat ? seatName(seat.row, seat.number, this.locale) : id
      })
    },

    /**
     * Re-render only the cells of `ids` (path updates) and the seats the stranded-seat rule names
     * now or named before, plus the selection summary, the hint and the view from the seat.
     */
    _redraw(ids, extra) {
      const patch = Object.assign(this._selectionData(), extra || {})
      ids.forEach((id) => {
        const at = this.index[id]
        if (at) patch[`rows[${at[0]}].cells[${at[1]}].state`] = this.seatState.view(id)
      })
      const stranded = this.hold && this.seatState.holdMatchesPicks() ? [] : this.seatState.stranded()
      this.warned.concat(stranded).forEach((id) => {
        const at = this.index[id]
        if (at) patch[`rows[${at[0]}].cells[${at[1]}].warn`] = stranded.indexOf(id) >= 0
      })
      this.warned = stranded
      // The server's own refusal for these seats, before any request.
      if (stranded.length && !patch.refusal) patch.refusal = this._explain(strandedRefusal(stranded))
      this.setData(patch)
      this._drawView()
      this.triggerEvent('change', {
        selection: this.data.selection,
        totalFen: this.seatState.totalFen(),
      })
    },

    _selectionData() {
      const selection = this.seatState.selection().map((seat) => ({
        id: seat.id,
        label: seatName(seat.row, seat.number, this.locale),
        price: yuan(seat.price_fen),
        couple: seat.type === 'couple',
      }))
      const last = selection.length ? selection[selection.length - 1].id : ''
      const view = last ? seatView(this.layout, last, 1, 1) : null
      const caption = VIEW_TEXT[this.locale === 'en' ? 'en' : 'zh'].caption
      return {
        selection,
        total: selection.length ? yuan(this.seatState.totalFen()) : '',
        hasHold: Boolean(this.hold),
        viewSeat: last,
        viewCaption: view
          ? caption.replace('{m}', String(Math.round(view.distanceM))).replace('{deg}', view.angleDeg)
          : '',
      }
    },

    /** Draw the view from the last picked seat on the canvas (when the platform gives one). */
    _drawView() {
      const seatId = this.data.viewSeat
      if (!seatId || typeof this.createSelectorQuery !== 'function') return
      this.createSelectorQuery()
        .select('#seat-view')
        .fields({ node: true, size: true })
        .exec((res) => {
          const found = res && res[0]
          if (!found || !found.node || !found.node.getContext) return
          const ratio = this._pixelRatio()
          found.node.width = found.width * ratio
          found.node.height = found.height * ratio
          const ctx = found.node.getContext('2d')
          ctx.scale(ratio, ratio)
          const view = seatView(this.layout, seatId, found.width, found.height)
          if (view) viewer.draw(ctx, view, found.width, found.height)
        })
    },
  }),
})
