/**
 * The staff API from the console: the staff token (kept apart from a moviegoer's session), file
 * downloads and errors in words. Requests, ApiError and the error shape come from the moviegoer
 * pages' client, web/js/api.js; a 401 there clears the staff token and fires `console:signed-out`.
 */

import { ApiError, client, storedSession } from '../../js/api.js'

export { ApiError }

export const staffSession = storedSession('seatcore.console')

const staff = client(staffSession, {
  onSignedOut: () => window.dispatchEvent(new Event('console:signed-out')),
})

/** `method path` with an optional JSON body and the staff token; resolves to the JSON answer. */
export const api = staff.api

/** The same without the staff token, for the public endpoints staff watch anonymously. */
export const anonymousApi = client(null).api

/** Fetch a file (with the token) and hand it to the browser as a download. */
export async function download(path, fallbackName) {
  const response = await staff.send(path)
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
