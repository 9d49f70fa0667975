/**
 * The UI half of a `wx` for tests: navigation, toasts, modals and the like do nothing on
 * screen but are recorded in `calls[name]`, so tests can assert where a page went and what it
 * told the user. Shared by the scripted fake (fake-wx.js) and the Node shim (wx-node.js).
 */
const RECORDED = [
  'showToast',
  'showLoading',
  'hideLoading',
  'navigateTo',
  'redirectTo',
  'navigateBack',
  'switchTab',
  'reLaunch',
  'setNavigationBarTitle',
  'stopPullDownRefresh',
  'vibrateShort',
  'previewImage',
  'setClipboardData',
]

function uiApis(calls, options) {
  const opts = options || {}
  const api = {}
  RECORDED.forEach((name) => {
    calls[name] = []
    api[name] = (args) => {
      calls[name].push(args || {})
      if (args && args.success) Promise.resolve().then(() => args.success({ errMsg: `${name}:ok` }))
    }
  })
  calls.showModal = []
  // Modals answer with `modalConfirm` (true: the user taps the confirm button).
  api.modalConfirm = opts.modalConfirm === undefined ? true : opts.modalConfirm
  api.showModal = function showModal(args) {
    calls.showModal.push(args)
    const confirm = api.modalConfirm
    Promise.resolve().then(() => args.success && args.success({ confirm, cancel: !confirm }))
  }
  api.getAccountInfoSync = () => ({ miniProgram: { appId: 'touristappid', envVersion: 'develop' } })
  api.getAppBaseInfo = () => ({ language: opts.language || 'zh_CN', SDKVersion: '3.3.4' })
  api.getSystemInfoSync = () => ({ language: opts.language || 'zh_CN', windowWidth: 375, pixelRatio: 2 })
  return api
}

function storageApis() {
  const store = new Map()
  return {
    storage: store,
    getStorageSync: (key) => (store.has(key) ? JSON.parse(store.get(key)) : ''),
    setStorageSync: (key, value) => store.set(key, JSON.stringify(value)),
    removeStorageSync: (key) => store.delete(key),
    clearStorageSync: () => store.clear(),
  }
}

module.exports = { uiApis, storageApis }
