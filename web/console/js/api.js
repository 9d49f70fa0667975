/**
 * The staff API from the console: the staff session, file downloads and errors in words.
 * Requests, ApiError and the error shape come from the moviegoer pages' client, web/js/api.js.
 *
 * The access token lives 15 minutes and only in this tab (session storage); the refresh token is
 * an HttpOnly cookie that no script can read, sent only to /api/v1/auth/staff-session. A request
 * answered 401 renews the access token with it once and is sent again; when the session has ended
 * too, `console:signed-out` fires.
 */

import { ApiError, client, storedSession } from '../../js/api.js'

export { ApiError }

const SESSION = '/api/v1/auth/staff-session'

export const staffSession = storedSession('seatcore.console', sessionStorage)

const staff = client(staffSession)

/** Whether the signed-in staff member is a platform admin (the service checks again). */
export const isAdmin = () => Boolean(staffSession.user && staffSession.user.role === 'admin')

/** The same without the staff token, for signing in and the public endpoints staff watch. */
export const anonymousApi = client(null).api

let renewing = null

/** A new access token from the session cookie: true when the session still holds. Requests that
 * meet a 401 together share one renewal (a refresh token works once). */
export function renew() {
  if (!renewing) {
    renewing = anonymousApi(`${SESSION}/refresh`, { method: 'POST' })
      .then((answer) => {
        staffSession.save(answer.token, answer.user)
        return true
      })
      .catch(() => false)
      .finally(() => {
        renewing = null
      })
  }
  return renewing
}

function signedOut() {
  staffSession.clear()
  window.dispatchEvent(new Event('console:signed-out'))
}

async function withRenewal(call) {
  try {
    return await call()
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err
    if (!(await renew())) {
      signedOut()
      throw err
    }
  }
  try {
    return await call()
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) signedOut()
    throw err
  }
}

/** `method path` with an optional JSON body and the staff token; resolves to the JSON answer. */
export const api = (path, options) => withRenewal(() => staff.api(path, options))

/** Sign in: the access token is kept in this tab, the session cookie set by the service. */
export async function signIn(username, password) {
  const answer = await anonymousApi('/api/v1/auth/staff-login', {
    method: 'POST',
    body: { username, password },
  })
  if (answer.user.kind !== 'staff') throw new Error('not a staff account')
  staffSession.save(answer.token, answer.user)
  return answer.user
}

/** Sign out: the session ends on the service too, so its cookie is worth nothing anywhere. */
export async function signOut() {
  staffSession.clear()
  await anonymousApi(SESSION, { method: 'DELETE' }).catch(() => null)
}

/** A file's text (with the token): a CSV to show as well as download. */
export async function text(path) {
  const response = await withRenewal(() => staff.send(path))
  return response.text()
}

/** Fetch a file (with the token) and hand it to the browser as a download. */
export async function download(path, fallbackName) {
  const response = await withRenewal(() => staff.send(path))
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

/** Send a file as the request body (a poster upload); resolves to the JSON answer. */
export function upload(path, file, method = 'PUT') {
  return withRenewal(async () => {
    const headers = { Accept: 'application/json', 'Content-Type': file.type || 'application/octet-stream' }
    if (staffSession.token) headers.Authorization = `Bearer ${staffSession.token}`
    let response
    try {
      response = await fetch(path, { method, headers, body: file })
    } catch (err) {
      throw new ApiError('network_error', 'the service did not answer: check the connection')
    }
    const data = await response.json().catch(() => null)
    if (response.ok) return data
    const error = data && data.error
    throw new ApiError(error ? error.code : 'unknown', error ? error.message : `HTTP ${response.status}`, {
      status: response.status,
      details: (error && error.details) || {},
    })
  })
}
