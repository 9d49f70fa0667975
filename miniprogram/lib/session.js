/**
 * The moviegoer's sign-in, done with wx.login the first time a request needs it.
 *
 * The token lives in storage (so it survives restarts) with its expiry; one sign-in is shared by
 * every request that needs it at the same moment. `exchange(code)` is the service call
 * (POST /api/v1/auth/wx-login) answering `{token, expires_in_s, user}`. `devName()`, when given,
 * answers the moviegoer to sign in as with the service's dev code `dev-NAME` instead of a
 * wx.login code, or '' (lib/api.js decides: only the demo's service on this machine).
 */
const { ApiError } = require('./errors')
const wxp = require('./wxp')

const STORAGE_KEY = 'seatcore.session'
// A token this close to expiry is renewed rather than sent.
const RENEW_BEFORE_MS = 60 * 1000

function createSession(options) {
  const getWx = options.wx
  const exchange = options.exchange
  const devName = options.devName || (async () => '')
  const now = options.now || Date.now
  let pending = null

  function current() {
    let stored = null
    try {
      stored = getWx().getStorageSync(STORAGE_KEY)
    } catch (err) {
      stored = null
    }
    if (stored && stored.token && stored.expiresAt - RENEW_BEFORE_MS > now()) return stored
    return null
  }

  async function loginCode() {
    const name = await devName()
    if (name) return `dev-${name}`
    try {
      return (await wxp.call(getWx(), 'login', { timeout: 10000 })).code
    } catch (err) {
      throw new ApiError('login_failed', (err && err.errMsg) || 'wx.login failed')
    }
  }

  async function login() {
    const code = await loginCode()
    const answer = await exchange(code)
    const stored = {
      token: answer.token,
      expiresAt: now() + answer.expires_in_s * 1000,
      user: answer.user,
    }
    getWx().setStorageSync(STORAGE_KEY, stored)
    return stored
  }

  function signIn() {
    if (!pending) {
      pending = login().then(
        (stored) => {
          pending = null
          return stored
        },
        (err) => {
          pending = null
          throw err
        }
      )
    }
    return pending
  }

  return {
    /** The stored session `{token, expiresAt, user}` while valid, else null. */
    current,
    /** The valid token, or '' when signed out: for requests where signing in is optional. */
    token() {
      const stored = current()
      return stored ? stored.token : ''
    },
    /** The session, signing in with wx.login first when there is none. */
    ensure() {
      return Promise.resolve(current() || signIn())
    },
    /** Forget the token (signed out, or the service refused it). */
    clear() {
      getWx().removeStorageSync(STORAGE_KEY)
    },
  }
}

module.exports = { createSession, STORAGE_KEY }
