/**
 * <pickup-card snacks="{{order.snacks}}" pickup="{{order.pickup}}">: an order's snacks (卖品) and,
 * once paid, the pickup code with its QR code for the cinema's snack counter. The QR is drawn on
 * the phone from the signed `pickup.qr` text (lib/qr.js); tapping it shows it full screen.
 */
const { qrDataUrl } = require('../../lib/qr')
const { orderSnackLines } = require('../../lib/snacks')

Component({
  properties: {
    snacks: { type: Array, value: [] },
    pickup: { type: Object, value: null },
  },

  data: { lines: [], code: '', qr: '', pickedUp: false },

  observers: {
    'snacks, pickup'(list, pickup) {
      this.setData({
        lines: orderSnackLines({ snacks: list }),
        code: pickup ? pickup.code : '',
        qr: pickup && pickup.qr ? qrDataUrl(pickup.qr, 6) : '',
        pickedUp: Boolean(pickup && pickup.picked_up_at),
      })
    },
  },

  methods: {
    preview() {
      if (this.data.qr) wx.previewImage({ urls: [this.data.qr], current: this.data.qr })
    },
  },
})
