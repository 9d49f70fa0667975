/**
 * The one place the app learns where the seatcore service is and how it behaves.
 *
 * The service URL follows the mini-program's environment: WeChat DevTools ("develop") talks to a
 * seatcore on this machine (`seatcore demo`), trial and release builds to the deployed service.
 * Release and trial URLs must be HTTPS and listed as request/socket domains in the WeChat admin
 * console. Tests point the app elsewhere by assigning `serviceUrl` before the first request.
 */
const SERVICE_URLS = {
  develop: 'http://127.0.0.1:8000',
  trial: 'https://seatcore.example.com',
  release: 'https://seatcore.example.com',
}

function envVersion() {
  try {
    return wx.getAccountInfoSync().miniProgram.envVersion || 'develop'
  } catch (err) {
    return 'develop'
  }
}

const config = {
  serviceUrl: SERVICE_URLS[envVersion()] || SERVICE_URLS.develop,
  // '' follows WeChat's language setting; 'zh' or 'en' forces one.
  locale: '',
  // The demo in DevTools signs in as this moviegoer with the service's dev code "dev-NAME", but
  // only in a develop build talking to a service on this machine or network that reports its dev
  // sign-in on (GET /api/v1/config); everything else uses wx.login. '' turns even that off.
  devLoginName: 'devtools',
  requestTimeoutMs: 10000,
  // GETs are retried this many times after a network failure, 429 or 502/503/504.
  getRetries: 2,
  maxSeatsPerHold: 6,
  // The default refund policy (DESIGN.md): used when an order does not state its own deadline.
  refundUntilBeforeMin: 30,
  // The default exchange (改签) cut-off before the original start (docs/exchange.md); the
  // cinema's policy on the service decides.
  exchangeUntilBeforeMin: 30,
  // How long after "paid" the order page waits for the server to confirm the payment.
  paymentConfirmTimeoutMs: 20000,
}

/** The WebSocket base for the service URL: http -> ws, https -> wss. */
config.socketUrl = function socketUrl() {
  return config.serviceUrl.replace(/^http/, 'ws')
}

/** A service path (a poster, a QR code) as an absolute URL; absolute URLs pass through. */
config.mediaUrl = function mediaUrl(path) {
  if (!path) return ''
  if (/^[a-z]+:\/\//i.test(path)) return path
  return config.serviceUrl + path
}

module.exports = config
