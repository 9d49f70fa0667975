/**
 * Idempotency keys: one per user action that creates or moves money (pay, refund), reused when
 * the same action is retried so the service performs it at most once.
 */
function hex(n) {
  let out = ''
  for (let i = 0; i < n; i += 1) out += Math.floor(Math.random() * 16).toString(16)
  return out
}

/** A random UUID-shaped key (version 4 layout). */
function newIdempotencyKey() {
  const variant = '89ab'[Math.floor(Math.random() * 4)]
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`
}

module.exports = { newIdempotencyKey }
