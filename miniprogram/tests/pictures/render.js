/**
 * A page rendered by miniprogram-simulate, written out as an HTML document a browser can show as
 * a phone would: WXSS with rpx converted for the screen's width, built-in tags (<image>,
 * <input>, <swiper>...) drawn with their properties, the navigation bar and, on tab pages, the
 * tab bar. Posters and QR codes are drawn as SVG, so nothing is fetched.
 */
const fs = require('fs')
const path = require('path')
const jComponent = require('j-component')
const simulateUtils = require('miniprogram-simulate/src/utils')
const jUtils = require('j-component/src/tool/utils')
const simulateWxss = require('miniprogram-simulate/src/wxss')
const { ROOT } = require('../support/pages')

const APP = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'))
const STATUS_BAR_PX = 44
const NAV_BAR_PX = 44
const TAB_BAR_PX = 50
const HOME_INDICATOR_PX = 34

// WeChat sizes rpx to the screen: 750rpx is the screen's width. Simulate turns 1rpx into 1px.
const screen = { widthPx: 375 }
function rpxToPx(style) {
  return style.replace(
    /(-?\d*\.?\d+)rpx/gi,
    (all, n) => `${+((Number(n) * screen.widthPx) / 750).toFixed(3)}px`
  )
}
simulateUtils.transformRpx = rpxToPx
jUtils.transformRpx = rpxToPx

// Simulate's built-in tags drop their properties; these keep the ones a picture needs.
const BUILT_INS = {
  image: { src: String, mode: String },
  input: { value: String, placeholder: String, password: Boolean },
  textarea: { value: String, placeholder: String },
  button: { type: String, size: String, disabled: Boolean, loading: Boolean },
  swiper: { current: Number, indicatorDots: Boolean },
  'movable-view': { x: Number, y: Number, scale: Boolean, scaleValue: Number },
  'scroll-view': { scrollX: Boolean, scrollY: Boolean },
  canvas: { type: String, canvasId: String },
  icon: { type: String, size: Number, color: String },
  progress: { percent: Number },
  switch: { checked: Boolean, color: String },
}
Object.keys(BUILT_INS).forEach((name) => {
  jComponent.register({ id: name, tagName: `wx-${name}`, template: '<slot/>', properties: BUILT_INS[name] })
})

function setScreenWidth(widthPx) {
  screen.widthPx = widthPx
}

const escapeHtml = (text) =>
  String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])

function svgData(svg) {
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`
}

/** A poster like the demo's (seatcore/demo/posters.py): a gradient, two discs and the title. */
function posterSvg(title, seed) {
  const hue = (seed * 67) % 360
  return svgData(
    `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="600" viewBox="0 0 400 600">
      <defs><linearGradient id="g" x1="0" y1="0" x2="0.4" y2="1">
        <stop offset="0" stop-color="hsl(${hue},55%,45%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360},60%,15%)"/>
      </linearGradient></defs>
      <rect width="400" height="600" fill="url(#g)"/>
      <circle cx="290" cy="170" r="120" fill="hsla(${(hue + 180) % 360},70%,70%,0.25)"/>
      <circle cx="110" cy="360" r="80" fill="hsla(${(hue + 90) % 360},70%,70%,0.2)"/>
      <text x="200" y="520" font-size="48" font-weight="700" fill="#fff" text-anchor="middle"
        font-family="PingFang SC">${escapeHtml(title)}</text></svg>`
  )
}

/** A QR-like grid of squares: the harness does not need a scannable code. */
function qrSvg(text) {
  let bits = ''
  let h = 7
  for (let i = 0; i < 441; i += 1) {
    h = (h * 31 + text.charCodeAt(i % text.length) + i) % 9973
    bits +=
      h % 3 === 0 ? `<rect x="${(i % 21) * 10}" y="${Math.floor(i / 21) * 10}" width="10" height="10"/>` : ''
  }
  return svgData(
    `<svg xmlns="http://www.w3.org/2000/svg" width="210" height="210"><rect width="210" height="210" fill="#fff"/>${bits}</svg>`
  )
}

/** What an <image src> shows: `images(src)` first (the test's posters), else a QR or grey. */
function imageUrl(src, images) {
  if (!src) return ''
  if (/^data:image\//.test(src)) return src // drawn on the phone (a pickup QR code)
  const mapped = images(src)
  if (mapped) return mapped
  if (/^(wxfile|http).*qr/i.test(src) || /qr\.png$/.test(src)) return qrSvg(src)
  if (/\.(png|jpe?g)$/.test(src) && fs.existsSync(path.join(ROOT, src.replace(/^\//, '')))) {
    return `file://${path.join(ROOT, src.replace(/^\//, ''))}`
  }
  return svgData(
    '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#ccc"/></svg>'
  )
}

const FITS = {
  aspectFill: 'cover',
  aspectFit: 'contain',
  scaleToFill: 'fill',
  widthFix: 'cover',
  heightFix: 'cover',
}

/** The element and its subtree as HTML, built-in tags drawn from their properties. */
function serialise(node, images) {
  if (node.nodeType === 3) return escapeHtml(node.textContent)
  if (node.nodeType !== 1) return ''
  const tag = node.tagName.toLowerCase()
  const props = (node.__wxElement && node.__wxElement.__propData) || {}
  const attrs = Array.from(node.attributes)
    .map((a) => ` ${a.name}="${escapeHtml(a.value)}"`)
    .join('')
  let inner = Array.from(node.childNodes)
    .map((child) => serialise(child, images))
    .join('')
  let extra = ''
  if (tag === 'wx-image') {
    const fit = FITS[props.mode] || 'fill'
    inner = `<img src="${escapeHtml(imageUrl(props.src, images))}" style="object-fit:${fit}">`
  } else if (tag === 'wx-input' || tag === 'wx-textarea') {
    inner = props.value
      ? `<span class="wx-value">${escapeHtml(props.value)}</span>`
      : `<span class="wx-placeholder">${escapeHtml(props.placeholder || '')}</span>`
  } else if (tag === 'wx-swiper') {
    extra = props.indicatorDots ? ' data-dots="1"' : ''
  } else if (tag === 'wx-button') {
    extra = props.type ? ` data-type="${escapeHtml(props.type)}"` : ''
    if (props.disabled) extra += ' data-disabled="1"'
  } else if (tag === 'wx-scroll-view') {
    extra = `${props.scrollX ? ' data-scroll-x="1"' : ''}${props.scrollY ? ' data-scroll-y="1"' : ''}`
  } else if (tag === 'wx-switch') {
    extra = props.checked ? ' data-checked="1"' : ''
  } else if (tag === 'wx-movable-view' && (props.x || props.y)) {
    extra = ` data-x="${props.x || 0}" data-y="${props.y || 0}"`
  }
  return `<${tag}${attrs}${extra}>${inner}</${tag}>`
}

// The defaults of WeChat's built-in tags, as its webview draws them.
const BUILT_IN_CSS = `
  html, body { margin: 0; padding: 0; height: 100%; }
  wx-page { display: block; min-height: 100%; }
  main { display: block; }
  wx-view, wx-swiper-item, wx-scroll-view, wx-movable-area, wx-form, wx-picker, wx-navigator,
  wx-cover-view { display: block; }
  wx-text, wx-label { display: inline; white-space: pre-wrap; }
  wx-image { display: inline-block; width: 320px; height: 240px; overflow: hidden; }
  wx-image > img { width: 100%; height: 100%; display: block; }
  wx-input { display: block; height: 1.4em; line-height: 1.4em; overflow: hidden; white-space: nowrap; }
  wx-textarea { display: block; width: 300px; height: 150px; }
  .wx-placeholder { color: #999; }
  wx-swiper { display: block; height: 150px; position: relative; overflow: hidden; }
  wx-swiper > wx-swiper-item { position: absolute; top: 0; left: 0; width: 100%; height: 100%; overflow: hidden; }
  wx-swiper > wx-swiper-item ~ wx-swiper-item { visibility: hidden; }
  wx-scroll-view { overflow: hidden; }
  wx-scroll-view[data-scroll-x] { overflow-x: auto; }
  wx-scroll-view[data-scroll-y] { overflow-y: auto; }
  wx-scroll-view, wx-swiper { scrollbar-width: none; }
  wx-movable-area { position: relative; width: 10px; height: 10px; overflow: hidden; }
  wx-movable-view { position: absolute; top: 0; left: 0; display: block; width: 10px; height: 10px; }
  wx-canvas { display: block; width: 300px; height: 150px; }
  wx-button { display: block; position: relative; box-sizing: border-box; margin: 0 auto; padding: 0 14px;
    font-size: 18px; text-align: center; line-height: 2.55; border-radius: 5px; color: #000;
    background: #f8f8f8; border: 1px solid rgba(0,0,0,.2); overflow: hidden; }
  wx-button[data-type="primary"] { color: #fff; background: #1aad19; }
  wx-button[data-disabled] { opacity: 0.6; }
  wx-icon { display: inline-block; width: 1em; height: 1em; }
  wx-switch { display: inline-block; position: relative; width: 52px; height: 32px; border-radius: 16px;
    background: #e5e5e5; flex: none; }
  wx-switch::after { content: ''; position: absolute; top: 2px; left: 2px; width: 28px; height: 28px;
    border-radius: 50%; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.3); }
  wx-switch[data-checked] { background: #04be02; }
  wx-switch[data-checked]::after { left: 22px; }
`

function fontCss() {
  const dir = path.dirname(require.resolve('@fontsource-variable/noto-sans-sc/index.css'))
  // The app asks for PingFang SC (iPhone's Chinese font); Noto Sans SC stands in for it.
  return fs
    .readFileSync(path.join(dir, 'index.css'), 'utf8')
    .replace(/'Noto Sans SC Variable'/g, "'PingFang SC'")
    .replace(/url\(\.\/files\//g, `url(file://${dir}/files/`)
}

function pageCss(page) {
  const ids = new Set()
  const styles = Array.from(document.head.querySelectorAll('style')).filter((s) => {
    if (ids.has(s.id)) return false
    ids.add(s.id)
    return true
  })
  // app.wxss applies to pages (not to components, which WeChat isolates): prefixed as the page.
  const appWxss = fs.readFileSync(path.join(ROOT, 'app.wxss'), 'utf8')
  const app = rpxToPx(simulateWxss.compile(appWxss, { prefix: page.dom.tagName.toLowerCase() }))
  const own = styles.map((s) => s.textContent).join('\n')
  return [app, own].join('\n').replace(/(^|[},\s])page(?=[\s{,.:])/g, '$1wx-page')
}

function pageConfig(name) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'pages', name, 'index.json'), 'utf8'))
}

/**
 * Write `<out>/<base>.html` (the phone: status bar, navigation bar, the page in a frame, the tab
 * bar on tab pages) and `<out>/<base>.page.html` (the page). Returns the phone file's path.
 */
function writePhone({ name, page, title, width, height, out, base, images }) {
  fs.mkdirSync(out, { recursive: true })
  const config = pageConfig(name)
  const window = Object.assign({}, APP.window, config)
  const tabs = (APP.tabBar && APP.tabBar.list) || []
  const tabbed = tabs.some((tab) => tab.pagePath === `pages/${name}/index`)
  const bottom = tabbed ? TAB_BAR_PX + HOME_INDICATOR_PX : 0
  const frameHeight = height - STATUS_BAR_PX - NAV_BAR_PX - bottom
  const body = serialise(page.dom, images || (() => ''))
  const pageHtml = `<!doctype html><html><head><meta charset="utf-8">
    <style>${fontCss()}</style><style>${BUILT_IN_CSS}</style><style>${pageCss(page)}</style>
    <style>wx-page { font-family: 'PingFang SC'; font-size: 16px; background: ${window.backgroundColor || '#fff'}; }</style>
    </head><body><wx-page>${body}</wx-page></body></html>`
  fs.writeFileSync(path.join(out, `${base}.page.html`), pageHtml)

  const navColor = window.navigationBarTextStyle === 'black' ? '#000' : '#fff'
  const tabBar = APP.tabBar || {}
  const tabHtml = tabs
    .map((tab) => {
      const on = tab.pagePath === `pages/${name}/index`
      const icon = on ? tab.selectedIconPath : tab.iconPath
      const img = icon ? `<img src="file://${path.join(ROOT, icon)}">` : ''
      return `<div class="tab" style="color:${on ? tabBar.selectedColor : tabBar.color}">${img}<span>${escapeHtml(tab.text)}</span></div>`
    })
    .join('')
  const phone = `<!doctype html><html><head><meta charset="utf-8"><style>${fontCss()}
    body { margin: 0; width: ${width}px; height: ${height}px; overflow: hidden; font-family: 'PingFang SC'; background: #fff; }
    .status { height: ${STATUS_BAR_PX}px; background: ${window.navigationBarBackgroundColor}; }
    .nav { height: ${NAV_BAR_PX}px; line-height: ${NAV_BAR_PX}px; text-align: center; font-size: 17px; font-weight: 600;
      color: ${navColor}; background: ${window.navigationBarBackgroundColor}; white-space: nowrap; overflow: hidden;
      text-overflow: ellipsis; padding: 0 96px; }
    iframe { display: block; border: 0; width: ${width}px; height: ${frameHeight}px; }
    .tabbar { height: ${TAB_BAR_PX}px; padding-bottom: ${HOME_INDICATOR_PX}px; display: flex;
      background: ${tabBar.backgroundColor || '#fff'}; border-top: 1px solid ${tabBar.borderStyle === 'white' ? '#fff' : 'rgba(0,0,0,.2)'}; }
    .tab { flex: 1; display: flex; flex-direction: column; align-items: center; justify-content: center; font-size: 10px; }
    .tab img { width: 24px; height: 24px; margin-bottom: 2px; }
    </style></head><body><div class="status"></div><div class="nav">${escapeHtml(title || window.navigationBarTitleText || '')}</div>
    <iframe src="${base}.page.html"></iframe>${tabbed ? `<div class="tabbar">${tabHtml}</div>` : ''}</body></html>`
  const file = path.join(out, `${base}.html`)
  fs.writeFileSync(file, phone)
  return file
}

module.exports = { setScreenWidth, writePhone, posterSvg }
