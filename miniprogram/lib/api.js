/**
 * The HTTP client every page uses: wx.request against the service, JSON in and out.
 *
 * - auth: 'none' sends no token, 'optional' sends one when signed in, 'required' signs in with
 *   wx.login first when needed. A 401 on a sent token (expired, revoked) drops it and tries once
 *   more with a fresh sign-in: a 401 means the service did nothing.
 * - Only GETs are retried by themselves (network failure, 429, 502/503/504, with backoff and
 *   jitter): a POST that timed out may have happened. Calls that move money carry an
 *   Idempotency-Key instead, and the page reuses it when the user tries again.
 * - Any failure becomes an ApiError with the service's stable code.
 */
const config = require('../config')
const { ApiError, errorFromResponse } = require('./errors')
const { backoffDelayMs } = require('./backoff')
const { createSession } = require('./session')
const wxp = require('./wxp')

// A Retry-After longer than this is not waited out inside a GET: the user is told instead.
const MAX_RETRY_WAIT_MS = 5000

function encodeQuery(query) {
  if (!query) return ''
  const parts = Object.keys(query)
    .filter((key) => query[key] !== undefined && query[key] !== null && query[key] !== '')
    .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(query[key])}`)
  return parts.length ? `?${parts.join('&')}` : ''
}

/** Whether `url` names this machine or a private network (where `seatcore demo` runs). */
function isLocalAddress(url) {
  const match = /^[a-z]+:\/\/(\[[^\]]+\]|[^/:]+)/i.exec(url || '')
  if (!match) return false
  const host = match[1].toLowerCase()
  return (
    host === 'localhost' ||
    host === '[::1]' ||
    host.endsWith('.local') ||
    /^127\./.test(host) ||
    /^10\./.test(host) ||
    /^192\.168\./.test(host) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(host)
  )
}

/** A build run in DevTools or a developer's preview, not a trial or release build. */
function isDevelopBuild(wxApi) {
  try {
    return wxApi.getAccountInfoSync().miniProgram.envVersion === 'develop'
  } catch (err) {
    return false
  }
}

function createClient(options) {
  const opts = options || {}
  const getWx = () => opts.wx || wx
  const baseUrl = () => opts.baseUrl || config.serviceUrl
  const sleep = opts.sleep || wxp.sleep
  const random = opts.random || Math.random
  const retries = opts.getRetries === undefined ? config.getRetries : opts.getRetries
  const session =
    opts.session ||
    createSession({
      wx: getWx,
      now: opts.now,
      exchange: (code) =>
        request({ method: 'POST', path: '/api/v1/auth/wx-login', body: { code }, auth: 'none' }),
      devName,
    })

  // The demo signs in out of the box: DevTools' wx.login codes mean nothing to a service without
  // a WeChat secret. So a develop build talking to a service on this machine or network asks
  // whether its dev sign-in is on (GET /api/v1/config), once, and if so signs in with
  // `dev-NAME`. Trial and release builds, and any service elsewhere, always use wx.login.
  let devAnswer = null
  function devName() {
    if (!config.devLoginName || !isDevelopBuild(getWx()) || !isLocalAddress(baseUrl())) {
      return Promise.resolve('')
    }
    if (!devAnswer) {
      devAnswer = send({ method: 'GET', path: '/api/v1/config' }, '').then(
        (facts) => (facts && facts.dev_login === true ? config.devLoginName : ''),
        () => {
          devAnswer = null
          return ''
        }
      )
    }
    return devAnswer
  }

  function send(req, token) {
    const header = { Accept: 'application/json' }
    if (req.body !== undefined) header['Content-Type'] = 'application/json'
    if (token) header.Authorization = `Bearer ${token}`
    if (req.idempotencyKey) header['Idempotency-Key'] = req.idempotencyKey
    if (req.admissionToken) header['X-Admission-Token'] = req.admissionToken
    return new Promise((resolve, reject) => {
      getWx().request({
        url: baseUrl() + req.path + encodeQuery(req.query),
        method: req.method,
        data: req.body,
        header,
        dataType: 'json',
        timeout: config.requestTimeoutMs,
        success(res) {
          if (res.statusCode >= 200 && res.statusCode < 300) {
            resolve(res.statusCode === 204 ? null : res.data)
          } else {
            reject(errorFromResponse(res.statusCode, res.data, res.header))
          }
        },
        fail(err) {
          reject(new ApiError('network_error', (err && err.errMsg) || 'request failed'))
        },
      })
    })
  }

  async function sendWithRetries(req, token) {
    const attempts = req.method === 'GET' ? 1 + retries : 1
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await send(req, token)
      } catch (err) {
        const waitMs = Math.max(backoffDelayMs(attempt, { random }), err.retryAfterS * 1000 || 0)
        const again = err.transient && attempt + 1 < attempts && waitMs <= MAX_RETRY_WAIT_MS
        if (!again) throw err
        await sleep(waitMs)
      }
    }
  }

  async function tokenFor(auth) {
    if (auth === 'required') return (await session.ensure()).token
    if (auth === 'optional') return session.token()
    return ''
  }

  /**
   * Send `{method, path, query, body, auth, idempotencyKey, admissionToken}`; resolves with the
   * JSON answer.
   */
  async function request(req) {
    const auth = req.auth || 'optional'
    const token = await tokenFor(auth)
    try {
      return await sendWithRetries(req, token)
    } catch (err) {
      if (!(err.status === 401 && token)) throw err
      session.clear()
      return sendWithRetries(req, await tokenFor(auth))
    }
  }

  /**
   * Download a file the service serves to the signed-in user (a ticket's QR code) with
   * wx.downloadFile, which can send the token an <image> cannot; resolves to its temp path.
   */
  async function download(path) {
    const token = await tokenFor('required')
    return new Promise((resolve, reject) => {
      getWx().downloadFile({
        url: baseUrl() + path,
        header: { Authorization: `Bearer ${token}` },
        success(res) {
          if (res.statusCode === 200) resolve(res.tempFilePath)
          else reject(errorFromResponse(res.statusCode, null, {}))
        },
        fail(err) {
          reject(new ApiError('network_error', (err && err.errMsg) || 'download failed'))
        },
      })
    })
  }

  return {
    request,
    session,
    download,
    get: (path, query, extra) => request(Object.assign({ method: 'GET', path, query }, extra)),
    post: (path, body, extra) => request(Object.assign({ method: 'POST', path, body: body || {} }, extra)),
    put: (path, body, extra) => request(Object.assign({ method: 'PUT', path, body: body || {} }, extra)),
    del: (path, extra) => request(Object.assign({ method: 'DELETE', path }, extra)),
  }
}

let shared = null

/** The app's client (created on first use, after config is final). */
function client() {
  if (!shared) shared = createClient()
  return shared
}

module.exports = { createClient, client, encodeQuery, isLocalAddress }
