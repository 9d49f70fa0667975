/**
 * The staff API from the console: the staff token (kept apart from a moviegoer's session), JSON
 * requests that fail with the service's stable error codes, and file downloads.
 */

const TOKEN_KEY = 'seatcore.console.token'
const USER_KEY = 'seatcore.console.user'

export class ApiError extends Error {
  constructor(code, message, { status = 0, details = {} } = {}) {
    super(message || code)
    this.name = 'ApiError'
    this.code = code
    this.status = status
    this.details = details
  }
}

export const staffSession = {
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

function headers(json) {
  const result = { Accept: 'application/json' }
  if (json) result['Content-Type'] = 'application/json'
  if (staffSession.token) result.Authorization = `Bearer ${staffSession.token}`
  return result
}

async function failure(response) {
  let data = null
  try {
    data = await response.json()
  } catch (err) {
    data = null
  }
  if (response.status === 401) {
    staffSession.clear()
    window.dispatchEvent(new Event('console:signed-out'))
  }
  if (data && data.error && typeof data.error.code === 'string') {
    return new ApiError(data.error.code, data.error.message, {
      status: response.status,
      details: data.error.details || {},
    })
  }
  return new ApiError('http_error', `HTTP ${response.status}`, { status: response.status })
}

/** `method path` with an optional JSON body; resolves to the JSON answer. */
export async function api(path, { method = 'GET', body } = {}) {
  let response
  try {
    response = await fetch(path, {
      method,
      headers: headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch (err) {
    throw new ApiError('network_error', 'the service did not answer: check the connection')
  }
  if (!response.ok) throw await failure(response)
  return response.status === 204 ? null : response.json()
}

/** Fetch a file (with the token) and hand it to the browser as a download. */
export async function download(path, fallbackName) {
  const response = await fetch(path, { headers: headers(false) })
  if (!response.ok) throw await failure(response)
  const disposition = response.headers.get('content-disposition') || ''
  const match = /filename="([^"]+)"/.exec(disposition)
  const url = URL.createObjectURL(await response.blob())
  const link = document.createElement('a')
  link.href = url
  link.download = match ? match[1] : fallbackName
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

/** A readable sentence for an error: the service's message, and layout problems one per line. */
export function describe(err) {
  if (!(err instanceof ApiError)) return String(err)
  const problems = err.details && err.details.problems
  if (Array.isArray(problems) && problems.length) {
    const lines = problems.map((p) => (typeof p === 'string' ? p : `${p.field}: ${p.problem}`))
    return `${err.message}:\n${lines.join('\n')}`
  }
  return err.message
}
