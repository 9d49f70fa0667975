/**
 * Starts one seatcore service for the e2e project and tells the tests where it is through the
 * environment (workers inherit it): SEATCORE_E2E_URL and SEATCORE_E2E_PATHS (the API paths its
 * OpenAPI document lists), or SEATCORE_E2E_SKIP with the reason it could not start.
 */
const { startService } = require('../support/service')

module.exports = async function globalSetup() {
  const service = await startService()
  if (service.skip) {
    process.env.SEATCORE_E2E_SKIP = service.skip
    process.stderr.write(`\n[e2e] skipped: the seatcore service could not be started:\n${service.skip}\n`)
    return
  }
  process.env.SEATCORE_E2E_URL = service.url
  process.env.SEATCORE_E2E_PATHS = JSON.stringify(service.paths)
  globalThis.__SEATCORE_SERVICE__ = service
}
