/**
 * The service's JSON API from the browser, and who is signed in.
 *
 * Every failure becomes an ApiError with the service's stable `code` (seat_unavailable,
 * stranded_seat, ...) and `details`; a request that got no answer is `network_error`.
 */

const TOKEN_KEY = 'seatcore.token'
const USER_KEY = 'seatcore.user'

export class ApiError extends Error {
  constructor(code, message, { status = 0, details = {} } = {}) {
    super(message || code)
    this.name = 'ApiError'
    this.code = code
    this.status = status
    this.details = details
  }
}

export const session = {
  get token() {
    return localStorage.getItem(TOKEN_KEY) || ''
  },
  get user() {
    try {
      return JSON.parse(localStorage.getItem(USER_KEY) || 'null')
    } catch (err) {
      return null
    }
  },
  save(token, user) {
    localStorage.setItem(TOKEN_KEY, token)
    localStorage.setItem(USER_KEY, JSON.stringify(user))
  },
  clear() {
    localStorage.removeItem(TOKEN_KEY)
    localStorage.removeItem(USER_KEY)
  },
}

/** `method path` with an optional JSON body; resolves to the answer's JSON (null for 204). */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (session.token) headers.Authorization = `Bearer ${session.token}`
  let response
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch (err) {
    throw new ApiError('network_error', String(err))
  }
  if (response.status === 204) return null
  let data = null
  try {
    data = await response.json()
  } catch (err) {
    data = null
  }
  if (response.ok) return data
  const shaped = data && data.error && typeof data.error.code === 'string'
  if (response.status === 401 && shaped) session.clear()
  if (shaped) {
    throw new ApiError(data.error.code, data.error.message, {
      status: response.status,
      details: data.error.details || {},
    })
  }
  throw new ApiError(response.status === 429 ? 'rate_limited' : 'unknown', `HTTP ${response.status}`, {
    status: response.status,
  })
}

/**
 * Sign a moviegoer in. The demo's dev provider accepts the code `dev-NAME`; a deployment
 * without it refuses, and the page says so.
 */
export async function signIn(name) {
  const answer = await api('/api/v1/auth/wx-login', { method: 'POST', body: { code: `dev-${name}` } })
  session.save(answer.token, answer.user)
  return answer.user
}
