/**
 * ApiError: every failure the app shows is one of these, with a stable `code` pages switch on.
 *
 * Codes come from the service's error shape `{"error": {"code", "message", "details"}}`
 * (seat_unavailable, stranded_seat, hold_expired, ...). Failures that never reached an answer
 * get client codes: `network_error` (no connection, timeout) and `bad_response` (not our JSON).
 */
class ApiError extends Error {
  constructor(code, message, options) {
    super(message || code)
    const opts = options || {}
    this.name = 'ApiError'
    this.code = code
    this.status = opts.status || 0
    this.details = opts.details || {}
    this.retryAfterS = opts.retryAfterS || 0
  }

  /** Worth trying the same request again later: the service was unreachable or overloaded. */
  get transient() {
    return (
      this.code === 'network_error' ||
      this.status === 429 ||
      this.status === 502 ||
      this.status === 503 ||
      this.status === 504
    )
  }
}

function headerValue(headers, name) {
  if (!headers) return undefined
  const wanted = name.toLowerCase()
  const key = Object.keys(headers).find((k) => k.toLowerCase() === wanted)
  return key === undefined ? undefined : headers[key]
}

/** The ApiError for a non-2xx answer of the service (or of something in front of it). */
function errorFromResponse(status, data, headers) {
  const retryAfterS = Number(headerValue(headers, 'Retry-After')) || 0
  const body = typeof data === 'string' ? parseJson(data) : data
  const shaped = body && typeof body === 'object' && body.error && typeof body.error.code === 'string'
  if (shaped) {
    return new ApiError(body.error.code, body.error.message, {
      status,
      details: body.error.details || {},
      retryAfterS,
    })
  }
  const code = status === 429 ? 'rate_limited' : status >= 500 ? 'upstream_unavailable' : 'bad_response'
  return new ApiError(code, `HTTP ${status}`, { status, retryAfterS })
}

function parseJson(text) {
  try {
    return JSON.parse(text)
  } catch (err) {
    return null
  }
}

module.exports = { ApiError, errorFromResponse, headerValue }
