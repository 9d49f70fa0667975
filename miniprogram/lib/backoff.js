/**
 * Exponential backoff with jitter, shared by API retries and socket reconnects.
 *
 * The delay doubles with each attempt up to `maxMs`; "equal jitter" then keeps half of it and
 * draws the other half at random, so thousands of clients dropped at once (a server restart)
 * do not all come back in the same instant, yet none retries too eagerly.
 */
const DEFAULTS = { baseMs: 500, maxMs: 30000 }

/** The wait before retry number `attempt` (0 for the first retry). */
function backoffDelayMs(attempt, options) {
  const opts = Object.assign({}, DEFAULTS, options || {})
  const random = opts.random || Math.random
  const ceiling = Math.min(opts.maxMs, opts.baseMs * Math.pow(2, Math.max(0, attempt)))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}

module.exports = { backoffDelayMs }
