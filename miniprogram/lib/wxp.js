/**
 * wx APIs as promises. WeChat's callback APIs (success/fail) are wrapped here once, so pages and
 * modules can `await` them and tests can hand in any object shaped like `wx`.
 */

/** Call `wxApi[name](options)` and settle with its success or fail result. */
function call(wxApi, name, options) {
  return new Promise((resolve, reject) => {
    wxApi[name](
      Object.assign({}, options || {}, {
        success: resolve,
        fail: reject,
      })
    )
  })
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

module.exports = { call, sleep }
