/**
 * Paying through WeChat Pay: an order's payment (tickets, snacks, or both) and an exchange's
 * second payment. The service, not the client, decides that money arrived (WeChat Pay's callback
 * to it): after the payment sheet the caller waits for the service to say so.
 *
 * Every failure is an ApiError the pages show as they show the service's own: the user closing
 * the sheet is `payment_cancelled`, any other sheet failure `payment_failed`.
 */
const config = require('../config')
const services = require('./services')
const wxp = require('./wxp')
const { ApiError } = require('./errors')
const { isPaid } = require('./orders')

const POLL_MS = 1000
const GIVEN_UP = ['cancelled', 'expired']

/**
 * The demo's sandbox provider confirms payments by itself; its parameters would only make the
 * WeChat Pay sheet fail, so there is no sheet to show for them.
 */
function selfConfirming(provider, params) {
  return provider === 'sandbox' || /^prepay_id=sandbox-/.test((params && params.package) || '')
}

/** Show WeChat Pay's sheet with the service's `params` (none for the sandbox). */
async function paymentSheet(provider, params) {
  if (selfConfirming(provider, params)) return
  try {
    await wxp.call(wx, 'requestPayment', params)
  } catch (err) {
    const cancelled = /cancel/i.test((err && err.errMsg) || '')
    throw new ApiError(cancelled ? 'payment_cancelled' : 'payment_failed', (err && err.errMsg) || '')
  }
}

/**
 * Look at `orderId` every second until `done(order)` holds: resolves with the order, or with
 * null after config.paymentConfirmTimeoutMs. An order that ended unpaid stops the wait.
 */
async function waitForOrder(orderId, done) {
  const deadline = Date.now() + config.paymentConfirmTimeoutMs
  for (;;) {
    const order = await services.order(orderId)
    if (done(order)) return order
    if (GIVEN_UP.includes(order.status)) throw new ApiError('order_state', order.status)
    if (Date.now() + POLL_MS > deadline) return null
    await wxp.sleep(POLL_MS)
  }
}

/**
 * Pay order `orderId` with the idempotency key `payKey` (kept by the caller for retries):
 * resolves true once the service has the payment, false when it has not confirmed it in time.
 * `started(answer)` is told when the service has made the payment.
 */
async function payOrder(orderId, payKey, started) {
  const answer = await services.payOrder(orderId, payKey)
  if (started) started(answer)
  await paymentSheet(answer.provider, answer.params)
  return Boolean(await waitForOrder(orderId, isPaid))
}

module.exports = { payOrder, paymentSheet, waitForOrder, selfConfirming, POLL_MS }
