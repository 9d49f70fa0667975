/**
 * <snack-picker cinema-id="{{id}}" bind:change="onSnacks">: the cinema's snacks (卖品), items and
 * combos, each with a quantity stepper. Loads GET /api/v1/cinemas/{id}/snacks itself; fires
 * `change` with `{lines: [{id, qty}], totalFen, count}` after every step and `loaded` with
 * `{count}` once the menu is in. A cinema without snacks (or a failed call) draws nothing.
 * The steppers stay within what the service accepts (lib/snacks.js); it prices and stocks them.
 */
const services = require('../../lib/services')
const snacks = require('../../lib/snacks')

Component({
  properties: {
    cinemaId: { type: Number, value: 0 },
    title: { type: String, value: '' },
  },

  data: { rows: [] },

  observers: {
    cinemaId(id) {
      if (id) this.load(id)
    },
  },

  methods: {
    async load(cinemaId) {
      this.cart = {}
      try {
        this.menu = (await services.snacks(cinemaId)).items
      } catch (err) {
        this.menu = []
      }
      this.setData({ rows: snacks.snackRows(this.menu, this.cart) })
      this.triggerEvent('loaded', { count: this.menu.length })
    },

    plus(event) {
      this.step(event.currentTarget.dataset.id, 1)
    },

    minus(event) {
      this.step(event.currentTarget.dataset.id, -1)
    },

    step(id, delta) {
      const snack = (this.menu || []).find((s) => s.id === Number(id))
      if (!snack) return
      const cart = snacks.changeQty(this.cart, snack, delta)
      if (cart === this.cart) return
      this.cart = cart
      this.setData({ rows: snacks.snackRows(this.menu, cart) })
      this.triggerEvent('change', {
        lines: snacks.cartLines(this.menu, cart),
        totalFen: snacks.cartTotalFen(this.menu, cart),
        count: snacks.cartCount(cart),
      })
    },
  },
})
