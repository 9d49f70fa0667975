/**
 * The seat map's viewport: where the hall sits in its movable-area, zoom with a fixed point, the
 * row labels that follow the rows, and the overview thumbnail of a large hall. Mixed into the
 * seat-map component's methods; `this.fit` is lib/seat-grid.js's fitHall for the phone.
 *
 * A movable-view scales about its centre, so with the view at x and scale s a point p of the hall
 * (px from its left edge, W its width) shows at x + W/2 + (p - W/2) * s; the same holds for y.
 */
const { drawSeatView } = require('./draw-view')

const SCALE_MAX = 4
const AREA_SHARE = 0.55 // of the window's height, at most, for the map
const THUMB_PX = 96
const LARGE_HALL_SEATS = 100
const THUMB_MIN_SCALE = 1.05

function initialData() {
  return {
    hall: null,
    x: 0,
    y: 0,
    scale: 1,
    scaleText: '1x',
    areaHeight: 0,
    labelTop: 0,
    labelHeight: 0,
    thumb: null,
    thumbView: null,
    showThumb: false,
  }
}

const clamp = (value, low, high) => Math.min(high, Math.max(low, value))
const round = (value) => Math.round(value * 100) / 100

const methods = {
  /** Data that opens the map on the whole hall, centred; remembers the fit and the pan. */
  _fitData(fit, blocks, rowCount) {
    this.fit = fit
    this.windowWidth = this._windowWidth()
    this.areaHeight = Math.min(fit.height, Math.round(this._windowHeight() * AREA_SHARE))
    this.pan = { x: fit.x, y: 0, scale: 1 }
    const seats = blocks.reduce((sum, block) => sum + block.len, 0)
    this.large = seats >= LARGE_HALL_SEATS
    const thumbHeight = Math.round((THUMB_PX * fit.height) / fit.width)
    const thumb = {
      width: THUMB_PX,
      height: thumbHeight,
      blocks: blocks.map((block, i) => ({
        key: `${block.row}:${block.col}:${i}`,
        left: round(((fit.side + fit.label + block.col * fit.cell) / fit.width) * THUMB_PX),
        top: round(((fit.screen + block.row * fit.rowHeight) / fit.height) * thumbHeight),
        width: round(((block.len * fit.cell) / fit.width) * THUMB_PX),
        height: Math.max(1, round((fit.cell / fit.height) * thumbHeight)),
      })),
    }
    setTimeout(() => this._measureArea(), 0)
    return Object.assign(
      {
        hall: fit,
        x: fit.x,
        y: 0,
        scale: 1,
        areaHeight: this.areaHeight,
        rowCount,
        thumb,
      },
      this._panData()
    )
  },

  /** The movable-view moved (drag, or the zoom's own move). */
  onMove(event) {
    const detail = event.detail || {}
    if (!this.pan) return
    this.pan.x = detail.x
    this.pan.y = detail.y
    this.setData(this._panData())
  },

  /** Pinch zoom of the movable-view: remember the scale so the buttons continue from it. */
  onScale(event) {
    const detail = event.detail || {}
    if (!this.pan) return
    if (detail.x !== undefined) this.pan.x = detail.x
    if (detail.y !== undefined) this.pan.y = detail.y
    this.pan.scale = detail.scale
    this.setData(this._panData())
  },

  /**
   * Zoom to `scale` (1 is the whole hall) keeping the hall point under `at` ({x, y} in the map's
   * px, default its centre) where it is; at 1 the hall goes back to its fitted place.
   */
  _zoomTo(scale, at) {
    if (!this.pan) return
    const next = clamp(Math.round(scale * 100) / 100, 1, SCALE_MAX)
    const fit = this.fit
    let x = fit.x
    let y = 0
    if (next > 1) {
      const point = at && at.x !== undefined ? at : { x: this.windowWidth / 2, y: this.areaHeight / 2 }
      x = this._keep(point.x, this.pan.x, fit.width, this.pan.scale, next)
      y = this._keep(point.y, this.pan.y, fit.height, this.pan.scale, next)
    }
    // The view ignores a value equal to the last one set, even if the user dragged it since.
    if (x === this.data.x) x += 0.01
    if (y === this.data.y) y += 0.01
    this.pan = { x, y, scale: next }
    this.setData(Object.assign({ x, y, scale: next }, this._panData()))
  },

  /** The new offset that keeps the hall point shown at `at` there when the scale changes. */
  _keep(at, offset, size, scale, next) {
    const centre = size / 2
    const point = centre + (at - offset - centre) / scale
    return round(at - centre - (point - centre) * next)
  },

  /** Row labels beside their rows, the thumbnail's visible part, the zoom text. */
  _panData() {
    const { x, y, scale } = this.pan
    const fit = this.fit
    const hallTop = y + (fit.height * (1 - scale)) / 2
    const data = {
      labelTop: round(hallTop + fit.screen * scale),
      labelHeight: round(fit.rowHeight * scale),
      scaleText: `${round(scale)}x`,
      showThumb: this.large && scale > THUMB_MIN_SCALE,
    }
    if (data.showThumb) {
      const local = (shown, offset, size) => size / 2 + (shown - offset - size / 2) / scale
      const left = clamp(local(0, x, fit.width), 0, fit.width)
      const right = clamp(local(this.windowWidth, x, fit.width), 0, fit.width)
      const top = clamp(local(0, y, fit.height), 0, fit.height)
      const bottom = clamp(local(this.areaHeight, y, fit.height), 0, fit.height)
      const thumbHeight = (THUMB_PX * fit.height) / fit.width
      data.thumbView = {
        left: round((left / fit.width) * THUMB_PX),
        top: round((top / fit.height) * thumbHeight),
        width: round(((right - left) / fit.width) * THUMB_PX),
        height: round(((bottom - top) / fit.height) * thumbHeight),
      }
    }
    return data
  },

  /** Where the map starts on the page, for double taps (their detail is in page px). */
  _measureArea() {
    if (typeof this.createSelectorQuery !== 'function') return
    this.createSelectorQuery()
      .select('.hall-area')
      .boundingClientRect((rect) => {
        if (rect && typeof rect.top === 'number') this.areaTop = rect.top
      })
      .exec()
  },

  _windowInfo() {
    try {
      return (wx.getWindowInfo ? wx.getWindowInfo() : wx.getSystemInfoSync()) || {}
    } catch (err) {
      return {}
    }
  },

  _windowWidth() {
    return this._windowInfo().windowWidth || 375
  },

  _windowHeight() {
    return this._windowInfo().windowHeight || 667
  },

  _pixelRatio() {
    return this._windowInfo().pixelRatio || 2
  },
}

module.exports = { initialData, methods, draw: drawSeatView }
