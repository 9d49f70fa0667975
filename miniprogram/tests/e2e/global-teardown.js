/** Stops the service global-setup.js started. */
module.exports = async function globalTeardown() {
  const service = globalThis.__SEATCORE_SERVICE__
  if (service) await service.stop()
}
