/**
 * A scripted `wx` for unit, component and page tests: requests (and downloads) answered by
 * route handlers the test declares, sockets the test drives frame by frame, wx.login codes `dev-NAME`, and
 * recorded UI calls (wx-ui.js). Nothing leaves the process.
 *
 *   const wx = createFakeWx()
 *   wx.route('GET', '/api/v1/movies/hot', () => ({ items: [] }))       // 200 with that body
 *   wx.route('POST', /holds$/, () => reply(409, { error: { code: 'stranded_seat', ... } }))
 *   wx.route('GET', '/x', () => NETWORK_DOWN)                          // wx.request fail
 */
const { uiApis, storageApis } = require('./wx-ui')

const NETWORK_DOWN = Symbol('network down')

function reply(status, data, header) {
  return { __reply: true, status, data, header: header || {} }
}

function errorReply(status, code, details, message) {
  return reply(status, { error: { code, message: message || code, details: details || {} } })
}

class FakeSocketTask {
  constructor(options) {
    this.url = options.url
    this.header = options.header || {}
    this.sent = []
    this.closedWith = null
    this.handlers = { open: [], message: [], close: [], error: [] }
  }

  onOpen(fn) {
    this.handlers.open.push(fn)
  }
  onMessage(fn) {
    this.handlers.message.push(fn)
  }
  onClose(fn) {
    this.handlers.close.push(fn)
  }
  onError(fn) {
    this.handlers.error.push(fn)
  }

  send(args) {
    this.sent.push(JSON.parse(args.data))
  }

  /** The app closes the socket (WeChat then reports onClose; the app ignores its own). */
  close(args) {
    this.closedWith = args || { code: 1000 }
    this.handlers.close.forEach((fn) => fn({ code: this.closedWith.code, reason: this.closedWith.reason }))
  }

  // Test-side controls: play the server.
  open() {
    this.handlers.open.forEach((fn) => fn({}))
  }
  receive(frame) {
    const data = typeof frame === 'string' ? frame : JSON.stringify(frame)
    this.handlers.message.forEach((fn) => fn({ data }))
  }
  serverClose(code, reason) {
    this.handlers.close.forEach((fn) => fn({ code, reason: reason || '' }))
  }
  fail(message) {
    this.handlers.error.forEach((fn) => fn({ errMsg: message || 'connectSocket:fail' }))
  }
  get query() {
    const q = this.url.split('?')[1] || ''
    return Object.fromEntries(new URLSearchParams(q))
  }
}

function createFakeWx(options) {
  const opts = options || {}
  const calls = {}
  const routes = []
  const wx = Object.assign(uiApis(calls, opts), { calls, requests: [], sockets: [], payments: [] })
  Object.assign(wx, storageApis())
  wx.user = opts.user || 'alice'
  // Where wx.getLocation says the user is ({latitude, longitude}); null: the user refused.
  wx.location = opts.location || null
  wx.payResult = 'ok'

  wx.route = (method, path, handler) => {
    routes.unshift({ method, path, handler })
  }

  // Sign-in works out of the box: dev-NAME becomes the token "token-NAME".
  wx.route('POST', '/api/v1/auth/wx-login', (req) => ({
    token: `token-${req.data.code.replace(/^dev-/, '')}`,
    expires_in_s: 3600,
    user: { id: 1, kind: 'user', role: 'moviegoer', name: req.data.code.replace(/^dev-/, '') },
  }))

  wx.request = (args) => {
    const url = new URL(args.url)
    const req = {
      method: args.method || 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      data: args.data,
      header: args.header || {},
    }
    wx.requests.push(req)
    const match = routes.find(
      (r) =>
        r.method === req.method && (typeof r.path === 'string' ? r.path === req.path : r.path.test(req.path))
    )
    Promise.resolve().then(() => {
      let answer
      try {
        answer = match ? match.handler(req) : errorReply(404, 'not_found', {}, 'no such resource')
      } catch (err) {
        answer = errorReply(500, 'internal_error', {}, String(err))
      }
      if (answer === NETWORK_DOWN) {
        args.fail && args.fail({ errMsg: 'request:fail timeout' })
        return
      }
      const res = answer && answer.__reply ? answer : reply(200, answer)
      args.success && args.success({ statusCode: res.status, data: res.data, header: res.header })
    })
    return { abort() {} }
  }

  wx.login = (args) => {
    Promise.resolve().then(() => args.success({ code: `dev-${wx.user}`, errMsg: 'login:ok' }))
  }

  wx.getLocation = (args) => {
    Promise.resolve().then(() => {
      if (wx.location) args.success(Object.assign({ errMsg: 'getLocation:ok' }, wx.location))
      else args.fail({ errMsg: 'getLocation:fail auth deny' })
    })
  }
  wx.openSetting = (args) => {
    Promise.resolve().then(() =>
      args.success({ authSetting: { 'scope.userLocation': Boolean(wx.location) }, errMsg: 'openSetting:ok' })
    )
  }

  wx.connectSocket = (args) => {
    const task = new FakeSocketTask(args)
    wx.sockets.push(task)
    return task
  }

  wx.requestPayment = (args) => {
    wx.payments.push(args)
    Promise.resolve().then(() => {
      if (wx.payResult === 'ok') args.success({ errMsg: 'requestPayment:ok' })
      else args.fail({ errMsg: `requestPayment:fail ${wx.payResult}` })
    })
  }

  // Downloads answer from the same routes: a 200 gives a temp path named after the URL.
  wx.downloads = []
  wx.downloadFile = (args) => {
    const url = new URL(args.url)
    wx.downloads.push({ path: url.pathname, header: args.header || {} })
    const match = routes.find(
      (r) =>
        r.method === 'GET' &&
        (typeof r.path === 'string' ? r.path === url.pathname : r.path.test(url.pathname))
    )
    Promise.resolve().then(() => {
      const status = match ? 200 : 404
      args.success({ statusCode: status, tempFilePath: `wxfile://tmp${url.pathname}` })
    })
  }

  wx.lastSocket = () => wx.sockets[wx.sockets.length - 1]
  wx.requestsTo = (method, path) =>
    wx.requests.filter(
      (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path))
    )
  return wx
}

/** Let promise callbacks and zero-delay timers run (real timers). */
async function flush(rounds) {
  for (let i = 0; i < (rounds || 5); i += 1) await new Promise((resolve) => setTimeout(resolve, 0))
}

/** Let promise callbacks run without touching timers (for tests on fake timers). */
async function ticks(rounds) {
  for (let i = 0; i < (rounds || 30); i += 1) await Promise.resolve()
}

module.exports = { createFakeWx, reply, errorReply, NETWORK_DOWN, flush, ticks }
