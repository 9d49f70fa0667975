/**
 * The service's JSON API from the browser, and who is signed in. Shared by the moviegoer pages
 * (`api`, `session`, `signIn` here) and the staff console (web/console/js/api.js builds its own
 * client on `storedSession` and `client`).
 *
 * Every failure becomes an ApiError with the service's stable `code` (seat_unavailable,
 * stranded_seat, ...) and `details`; a request that got no answer is `network_error`, an answer
 * not in the error shape is `rate_limited` (429) or `unknown`, a success that is not JSON is
 * `bad_response`.
 */

export class ApiError extends Error {
  constructor(code, message, { status = 0, details = {} } = {}) {
    super(message || code)
    this.name = 'ApiError'
    this.code = code
    this.status = status
    this.details = details
  }
}

/** A token and its user kept under `PREFIX.token` and `PREFIX.user` (in local storage unless told). */
export function storedSession(prefix, storage = localStorage) {
  const tokenKey = `${prefix}.token`
  const userKey = `${prefix}.user`
  return {
    get token() {
      return storage.getItem(tokenKey) || ''
    },
    get user() {
      try {
        return JSON.parse(storage.getItem(userKey) || 'null')
      } catch (err) {
        return null
      }
    },
    save(token, user) {
      storage.setItem(tokenKey, token)
      storage.setItem(userKey, JSON.stringify(user))
    },
    clear() {
      storage.removeItem(tokenKey)
      storage.removeItem(userKey)
    },
  }
}

/** The ApiError for a failed response; `onUnauthorized` runs on a 401 in the service's error shape. */
async function failure(response, onUnauthorized) {
  let data = null
  try {
    data = await response.json()
  } catch (err) {
    data = null
  }
  if (data && data.error && typeof data.error.code === 'string') {
    if (response.status === 401) onUnauthorized()
    return new ApiError(data.error.code, data.error.message, {
      status: response.status,
      details: data.error.details || {},
    })
  }
  const code = response.status === 429 ? 'rate_limited' : 'unknown'
  return new ApiError(code, `HTTP ${response.status}`, { status: response.status })
}

/**
 * Requests that carry `who`'s bearer token (none when `who` is null). A 401 from the service signs
 * `who` out and then calls `onSignedOut`.
 *   send(path, {method, body, headers}) resolves to the successful Response (for downloads);
 *   api(path, {method, body, headers}) resolves to its JSON (null for 204).
 */
export function client(who, { onSignedOut } = {}) {
  async function send(path, { method = 'GET', body, headers: extra } = {}) {
    const headers = { Accept: 'application/json', ...(extra || {}) }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (who && who.token) headers.Authorization = `Bearer ${who.token}`
    let response
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch (err) {
      throw new ApiError('network_error', 'the service did not answer: check the connection')
    }
    if (response.ok) return response
    throw await failure(response, signOut)
  }

  function signOut() {
    if (who) who.clear()
    if (onSignedOut) onSignedOut()
  }

  async function api(path, options) {
    const response = await send(path, options)
    if (response.status === 204) return null
    try {
      return await response.json()
    } catch (err) {
      throw new ApiError('bad_response', 'the service answered with something that is not JSON', {
        status: response.status,
      })
    }
  }

  return { send, api }
}

/** The moviegoer's session, and requests made with it. */
export const session = storedSession('seatcore')
export const { api } = client(session)

/**
 * Sign a moviegoer in. The demo's dev provider accepts the code `dev-NAME`; a deployment
 * without it refuses, and the page says so.
 */
export async function signIn(name) {
  const answer = await api('/api/v1/auth/wx-login', { method: 'POST', body: { code: `dev-${name}` } })
  session.save(answer.token, answer.user)
  return answer.user
}
