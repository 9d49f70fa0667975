/** The API client: tokens and sign-in, retries only for GETs, idempotency keys, typed errors. */
const { createClient, encodeQuery } = require('../../lib/api')
const { ApiError } = require('../../lib/errors')
const { createFakeWx, reply, errorReply, NETWORK_DOWN } = require('../support/fake-wx')

let wx
let waits

function client(options) {
  return createClient(
    Object.assign(
      { wx, baseUrl: 'http://svc', sleep: async (ms) => waits.push(ms), random: () => 0.5 },
      options || {}
    )
  )
}

beforeEach(() => {
  wx = createFakeWx({ user: 'carol' })
  waits = []
})

test('GET with a query, JSON answer, no token while signed out', async () => {
  wx.route('GET', '/api/v1/movies', (req) => ({ items: [], next_cursor: null, echo: req.query }))
  const answer = await client().get('/api/v1/movies', { status: 'showing', q: '', cursor: null })
  expect(answer.echo).toEqual({ status: 'showing' })
  expect(wx.requests[0].header.Authorization).toBeUndefined()
})

test('the error shape becomes an ApiError with code, status, details and Retry-After', async () => {
  wx.route('POST', '/api/v1/x', () =>
    reply(
      409,
      { error: { code: 'stranded_seat', message: 'leaves B-3', details: { seats: ['B-3'] } } },
      { 'retry-after': '2' }
    )
  )
  const err = await client()
    .post('/api/v1/x', {})
    .catch((e) => e)
  expect(err).toBeInstanceOf(ApiError)
  expect(err).toMatchObject({
    code: 'stranded_seat',
    status: 409,
    message: 'leaves B-3',
    details: { seats: ['B-3'] },
    retryAfterS: 2,
  })
  expect(err.transient).toBe(false)
})

test('answers that are not our error shape still get a code', async () => {
  wx.route('GET', '/a', () => reply(502, '<html>bad gateway</html>'))
  wx.route('GET', '/b', () => reply(418, 'teapot'))
  const c = client({ getRetries: 0 })
  expect((await c.get('/a').catch((e) => e)).code).toBe('upstream_unavailable')
  expect((await c.get('/b').catch((e) => e)).code).toBe('bad_response')
})

test('a GET is retried after network failures and 503 with growing jittered waits', async () => {
  const answers = [NETWORK_DOWN, errorReply(503, 'upstream_unavailable'), { ok: true }]
  wx.route('GET', '/api/v1/movies/hot', () => answers.shift())
  expect(await client().get('/api/v1/movies/hot')).toEqual({ ok: true })
  expect(wx.requests).toHaveLength(3)
  expect(waits).toEqual([375, 750])
})

test('a GET gives up after its retries with the last error', async () => {
  wx.route('GET', '/x', () => NETWORK_DOWN)
  const err = await client()
    .get('/x')
    .catch((e) => e)
  expect(err.code).toBe('network_error')
  expect(wx.requests).toHaveLength(3)
})

test('a 429 is waited out as the server asks when that is short, and not at all when long', async () => {
  const answers = [
    reply(429, { error: { code: 'rate_limited', message: 'slow', details: {} } }, { 'Retry-After': '3' }),
    { ok: 1 },
  ]
  wx.route('GET', '/short', () => answers.shift())
  await client().get('/short')
  expect(waits).toEqual([3000])
  wx.route('GET', '/long', () =>
    reply(429, { error: { code: 'rate_limited', message: 'slow', details: {} } }, { 'Retry-After': '60' })
  )
  const err = await client()
    .get('/long')
    .catch((e) => e)
  expect(err.code).toBe('rate_limited')
  expect(wx.requestsTo('GET', '/long')).toHaveLength(1)
})

test('a POST, PUT or DELETE is never retried by itself', async () => {
  wx.route('POST', '/p', () => NETWORK_DOWN)
  wx.route('PUT', '/p', () => errorReply(503, 'upstream_unavailable'))
  wx.route('DELETE', '/p', () => NETWORK_DOWN)
  const c = client()
  await expect(c.post('/p', {})).rejects.toMatchObject({ code: 'network_error' })
  await expect(c.put('/p', {})).rejects.toMatchObject({ code: 'upstream_unavailable' })
  await expect(c.del('/p')).rejects.toMatchObject({ code: 'network_error' })
  expect(wx.requests).toHaveLength(3)
  expect(waits).toEqual([])
})

test('the idempotency key goes in the Idempotency-Key header', async () => {
  wx.route('POST', '/api/v1/orders/o1/pay', () => ({ payment: {} }))
  await client().post('/api/v1/orders/o1/pay', {}, { auth: 'required', idempotencyKey: 'k-123' })
  const pay = wx.requestsTo('POST', '/api/v1/orders/o1/pay')[0]
  expect(pay.header['Idempotency-Key']).toBe('k-123')
  expect(pay.header['Content-Type']).toBe('application/json')
  expect(pay.data).toEqual({})
})

test('auth required: wx.login once for concurrent requests, then the token is reused from storage', async () => {
  wx.route('GET', '/me', (req) => ({ auth: req.header.Authorization }))
  const c = client()
  const answers = await Promise.all([
    c.get('/me', null, { auth: 'required' }),
    c.get('/me', null, { auth: 'required' }),
  ])
  expect(answers).toEqual([{ auth: 'Bearer token-carol' }, { auth: 'Bearer token-carol' }])
  expect(wx.requestsTo('POST', '/api/v1/auth/wx-login')).toHaveLength(1)
  expect(wx.requestsTo('POST', '/api/v1/auth/wx-login')[0].data).toEqual({ code: 'dev-carol' })
  // A second client (the app restarted) finds the session in storage.
  await client().get('/me', null, { auth: 'required' })
  expect(wx.requestsTo('POST', '/api/v1/auth/wx-login')).toHaveLength(1)
})

test('a refused token is dropped and the call made once more after signing in again', async () => {
  wx.setStorageSync('seatcore.session', { token: 'old', expiresAt: Date.now() + 3600000, user: {} })
  wx.route('POST', '/api/v1/orders', (req) =>
    req.header.Authorization === 'Bearer old' ? errorReply(401, 'unauthorized') : { id: 'o1' }
  )
  expect(await client().post('/api/v1/orders', { hold_id: 'h' }, { auth: 'required' })).toEqual({ id: 'o1' })
  expect(wx.requestsTo('POST', '/api/v1/orders')).toHaveLength(2)
  expect(wx.getStorageSync('seatcore.session').token).toBe('token-carol')
})

test('a token about to expire is renewed before use', async () => {
  wx.setStorageSync('seatcore.session', { token: 'old', expiresAt: Date.now() + 30000, user: {} })
  wx.route('GET', '/me', (req) => ({ auth: req.header.Authorization }))
  expect(await client().get('/me', null, { auth: 'required' })).toEqual({ auth: 'Bearer token-carol' })
})

describe('the demo signs in out of the box', () => {
  const config = require('../../config')
  const signedInAs = async (baseUrl) => {
    wx.route('GET', '/me', (req) => ({ auth: req.header.Authorization }))
    return (await client({ baseUrl }).get('/me', null, { auth: 'required' })).auth
  }

  test('a local service whose dev sign-in is on gets the dev code, asked once', async () => {
    wx.route('GET', '/api/v1/config', () => ({ dev_login: true }))
    wx.login = () => {
      throw new Error('wx.login must not be called')
    }
    expect(await signedInAs('http://127.0.0.1:8000')).toBe(`Bearer token-${config.devLoginName}`)
    expect(wx.requestsTo('GET', '/api/v1/config')).toHaveLength(1)
  })

  test('a local service with dev sign-in off gets the wx.login code', async () => {
    wx.route('GET', '/api/v1/config', () => ({ dev_login: false }))
    expect(await signedInAs('http://192.168.1.20:8000')).toBe('Bearer token-carol')
  })

  test('a service elsewhere is never asked, whatever it would say', async () => {
    wx.route('GET', '/api/v1/config', () => ({ dev_login: true }))
    expect(await signedInAs('https://seatcore.example.com')).toBe('Bearer token-carol')
    expect(wx.requestsTo('GET', '/api/v1/config')).toHaveLength(0)
  })

  test('a trial or release build never uses dev codes, even against a local service', async () => {
    wx.route('GET', '/api/v1/config', () => ({ dev_login: true }))
    wx.getAccountInfoSync = () => ({ miniProgram: { appId: 'wx1', envVersion: 'release' } })
    expect(await signedInAs('http://127.0.0.1:8000')).toBe('Bearer token-carol')
    expect(wx.requestsTo('GET', '/api/v1/config')).toHaveLength(0)
  })

  test('local addresses', () => {
    const { isLocalAddress } = require('../../lib/api')
    const local = [
      'http://127.0.0.1:8000',
      'http://localhost:8000',
      'http://10.0.0.5',
      'http://172.20.1.1',
      'http://mac.local:8000',
      'http://[::1]:8000',
    ]
    const remote = ['https://seatcore.example.com', 'http://172.32.0.1', 'http://8.8.8.8', '']
    expect(local.filter(isLocalAddress)).toEqual(local)
    expect(remote.filter(isLocalAddress)).toEqual([])
  })
})

test('a failed wx.login is a login_failed error', async () => {
  wx.login = (args) => Promise.resolve().then(() => args.fail({ errMsg: 'login:fail' }))
  await expect(client().get('/me', null, { auth: 'required' })).rejects.toMatchObject({
    code: 'login_failed',
  })
})

test('encodeQuery drops empty values and escapes the rest', () => {
  expect(encodeQuery({ q: '流浪 地球', city: undefined, date: '', n: 0 })).toBe(
    '?q=%E6%B5%81%E6%B5%AA%20%E5%9C%B0%E7%90%83&n=0'
  )
  expect(encodeQuery({})).toBe('')
})
