/**
 * A real seatcore service for the end-to-end tests: `seatcore demo` (migrate, seed the demo
 * catalogue, serve) on the embedded default (SQLite file and embedded Redis under a temporary
 * data dir, dev sign-in on), on a free port. The binary is $SEATCORE_BIN, else the repository's
 * .venv/bin/seatcore, else `seatcore` on PATH.
 *
 * startService() never throws: it resolves to {url, paths, stop} or to {skip: reason}.
 */
const { spawn } = require('child_process')
const fs = require('fs')
const net = require('net')
const os = require('os')
const path = require('path')
const http = require('http')

const STARTUP_TIMEOUT_MS = 120000

function seatcoreBin() {
  if (process.env.SEATCORE_BIN) return process.env.SEATCORE_BIN
  const venv = path.resolve(__dirname, '../../../.venv/bin/seatcore')
  return fs.existsSync(venv) ? venv : 'seatcore'
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function getJson(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) })
        } catch (err) {
          reject(err)
        }
      })
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
  })
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function startService() {
  const bin = seatcoreBin()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'seatcore-mp-e2e-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const env = Object.assign({}, process.env, {
    SEATCORE_DEV_LOGIN: 'true',
    SEATCORE_DATABASE_URL: '',
    SEATCORE_REDIS_URL: '',
    SEATCORE_LOG_LEVEL: 'WARNING',
  })
  let output = ''
  let exited = null
  let child
  try {
    child = spawn(bin, ['--data-dir', dataDir, 'demo', '--port', String(port)], { env, cwd: dataDir })
  } catch (err) {
    return { skip: `cannot run ${bin}: ${err.message}` }
  }
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  child.on('error', (err) => (exited = `cannot run ${bin}: ${err.message}`))
  child.on('exit', (code) => (exited = exited || `${bin} demo exited with ${code}`))
  // Should jest itself die, take the service down with it rather than leave it serving.
  const orphanGuard = () => exited === null && child.kill('SIGTERM')
  process.on('exit', orphanGuard)

  const stop = async () => {
    process.removeListener('exit', orphanGuard)
    if (exited === null) {
      child.kill('SIGTERM')
      for (let i = 0; i < 100 && exited === null; i += 1) await pause(100)
      if (exited === null) child.kill('SIGKILL')
    }
    fs.rmSync(dataDir, { recursive: true, force: true })
  }

  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (exited !== null) {
      await stop()
      return { skip: `${exited}\n${output.slice(-2000)}` }
    }
    try {
      const health = await getJson(`${url}/healthz`)
      if (health.status === 200) {
        const doc = await getJson(`${url}/api/v1/openapi.json`)
        return { url, paths: Object.keys(doc.body.paths || {}), stop }
      }
    } catch (err) {
      // Not listening yet.
    }
    await pause(250)
  }
  await stop()
  return {
    skip: `seatcore did not answer /healthz within ${STARTUP_TIMEOUT_MS / 1000} s\n${output.slice(-2000)}`,
  }
}

module.exports = { startService }
