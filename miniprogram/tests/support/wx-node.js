/**
 * A `wx` for Node that talks to a real seatcore service: wx.request over Node's http/https,
 * wx.connectSocket over the `ws` package, wx.login answering `dev-NAME` (the service's dev
 * sign-in provider), wx.downloadFile to temp files, wx.requestPayment standing in for the
 * WeChat Pay sheet, and storage in memory. UI calls (navigation, toasts, modals) are recorded as in the fake (wx-ui.js).
 *
 *   const wx = createNodeWx({ user: 'alice', pay: async (params) => {...} })
 *
 * `pay(params)` is what "the user paid" means for the payment provider in use; without it,
 * requestPayment succeeds as the WeChat client would after the user confirmed.
 */
const fs = require('fs')
const http = require('http')
const https = require('https')
const os = require('os')
const path = require('path')
const WebSocket = require('ws')
const { uiApis, storageApis } = require('./wx-ui')

function parseBody(text, contentType) {
  if (!/json/i.test(contentType || '')) return text
  try {
    return JSON.parse(text)
  } catch (err) {
    return text
  }
}

function createNodeWx(options) {
  const opts = options || {}
  const calls = {}
  const wx = Object.assign(uiApis(calls, opts), storageApis(), {
    calls,
    requests: [],
    sockets: [],
    payments: [],
    downloaded: [],
    user: opts.user || 'alice',
  })

  wx.request = (args) => {
    const url = new URL(args.url)
    const transport = url.protocol === 'https:' ? https : http
    const body =
      args.data === undefined
        ? undefined
        : typeof args.data === 'string'
          ? args.data
          : JSON.stringify(args.data)
    const headers = Object.assign({}, args.header || {})
    if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body)
    wx.requests.push({
      method: args.method || 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
    })
    let settled = false
    const fail = (message) => {
      if (settled) return
      settled = true
      if (args.fail) args.fail({ errMsg: `request:fail ${message}` })
    }
    const req = transport.request(
      url,
      { method: args.method || 'GET', headers, timeout: args.timeout || 10000 },
      (res) => {
        const chunks = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('error', (err) => fail(err.message))
        res.on('end', () => {
          if (settled) return
          settled = true
          const text = Buffer.concat(chunks).toString('utf8')
          if (args.success) {
            args.success({
              statusCode: res.statusCode,
              data: parseBody(text, res.headers['content-type']),
              header: res.headers,
            })
          }
        })
      }
    )
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', (err) => fail(err.message))
    if (body !== undefined) req.write(body)
    req.end()
    return { abort: () => req.destroy(new Error('abort')) }
  }

  /** wx.downloadFile: the body goes to a temp file, as WeChat's tempFilePath. */
  wx.downloadFile = (args) => {
    const url = new URL(args.url)
    const transport = url.protocol === 'https:' ? https : http
    const req = transport.get(url, { headers: args.header || {}, timeout: 10000 }, (res) => {
      const chunks = []
      res.on('data', (chunk) => chunks.push(chunk))
      res.on('end', () => {
        const file = path.join(
          os.tmpdir(),
          `seatcore-mp-${process.pid}-${Date.now()}-${path.basename(url.pathname)}`
        )
        fs.writeFileSync(file, Buffer.concat(chunks))
        wx.downloaded.push(file)
        args.success({ statusCode: res.statusCode, tempFilePath: file })
      })
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', (err) => args.fail && args.fail({ errMsg: `downloadFile:fail ${err.message}` }))
  }

  wx.login = (args) => {
    Promise.resolve().then(() => args.success({ code: `dev-${wx.user}`, errMsg: 'login:ok' }))
  }

  wx.connectSocket = (args) => {
    const socket = new WebSocket(args.url, { headers: args.header || {} })
    const task = {
      url: args.url,
      socket,
      frames: [],
      onOpen: (fn) => socket.on('open', () => fn({})),
      onMessage: (fn) =>
        socket.on('message', (data) => {
          const text = data.toString('utf8')
          task.frames.push(JSON.parse(text))
          fn({ data: text })
        }),
      onClose: (fn) => socket.on('close', (code, reason) => fn({ code, reason: reason.toString('utf8') })),
      onError: (fn) => socket.on('error', (err) => fn({ errMsg: err.message })),
      send: (message) => socket.send(message.data),
      close: (message) => {
        if (socket.readyState === WebSocket.CONNECTING) socket.terminate()
        else socket.close((message && message.code) || 1000, message && message.reason)
      },
    }
    wx.sockets.push(task)
    return task
  }

  wx.requestPayment = (args) => {
    wx.payments.push(args)
    Promise.resolve()
      .then(() => (opts.pay ? opts.pay(args) : undefined))
      .then(
        () => args.success({ errMsg: 'requestPayment:ok' }),
        (err) => args.fail({ errMsg: `requestPayment:fail ${err.message}` })
      )
  }

  /** Close every socket this client opened and delete its downloads (end of a test). */
  wx.closeAll = () => {
    wx.sockets.forEach((task) => task.socket.terminate())
    wx.downloaded.forEach((file) => fs.rmSync(file, { force: true }))
  }
  return wx
}

module.exports = { createNodeWx }
