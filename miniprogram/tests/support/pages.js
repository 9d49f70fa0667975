/**
 * Loading the app's real pages in miniprogram-simulate. Simulate renders components, so
 * Page(definition) is registered as a component whose methods are the page's functions
 * (WeChat itself accepts pages built with Component()); tests then call the lifecycle
 * (onLoad with the query, onShow) as the framework would.
 */
const fs = require('fs')
const path = require('path')
const simulate = require('miniprogram-simulate')
const simulateUtils = require('miniprogram-simulate/src/utils')

/**
 * Simulate runs a page's or component's JS with Node's require and then drops it from
 * require.cache so that the next load registers it again. Jest's module registry ignores
 * require.cache, so a component used by two pages would register only once. Run those files
 * from source instead, each time, while the modules they require (lib/, config) come from the
 * test's registry as usual, so the test and the pages share one config and one API client.
 */
simulateUtils.runJs = (filePath) => {
  const file = require.resolve(filePath)
  const dir = path.dirname(file)
  const localRequire = (request) => require(request.startsWith('.') ? path.resolve(dir, request) : request)
  const module = { exports: {} }
  const run = new Function(
    'require',
    'module',
    'exports',
    '__filename',
    '__dirname',
    fs.readFileSync(file, 'utf8')
  )
  run(localRequire, module, module.exports, file, dir)
}

const ROOT = path.resolve(__dirname, '../..')

function pageToComponent(definition) {
  const methods = {}
  const fields = {}
  Object.keys(definition).forEach((key) => {
    if (key === 'data') return
    if (typeof definition[key] === 'function') methods[key] = definition[key]
    else fields[key] = definition[key]
  })
  return {
    data: definition.data || {},
    methods,
    lifetimes: {
      created() {
        Object.keys(fields).forEach((key) => {
          this[key] = JSON.parse(JSON.stringify(fields[key]))
        })
      },
    },
  }
}

function installPageGlobals() {
  let app = null
  global.Page = (definition) => global.Component(pageToComponent(definition))
  global.App = (definition) => {
    app = definition
  }
  global.getApp = () => app || {}
  global.getCurrentPages = () => []
}

// Loading compiles the page's templates: do it once per test file, render as often as needed.
const loaded = {}

function load(kind, name) {
  const file = path.join(ROOT, kind, name, 'index')
  if (!loaded[file]) loaded[file] = simulate.load(file, { compiler: 'simulate', rootPath: ROOT })
  return loaded[file]
}

/**
 * Render page `name` (pages/NAME/index), run onLoad(query) and onShow, and wait for what they
 * started. Returns the simulate component; `page.instance` is the page's `this`.
 */
async function openPage(name, query, settle) {
  const page = simulate.render(load('pages', name))
  page.attach(document.createElement('parent-wrapper'))
  const loading = page.instance.onLoad ? page.instance.onLoad(query || {}) : undefined
  await loading
  const showing = page.instance.onShow ? page.instance.onShow() : undefined
  await showing
  if (settle) await settle()
  return page
}

/** Render a component (components/NAME/index) with properties, attached to the document. */
function renderComponent(name, properties) {
  const comp = simulate.render(load('components', name), properties || {})
  comp.attach(document.createElement('parent-wrapper'))
  return comp
}

/** The text of the first element matching `selector`, or null. */
function textOf(comp, selector) {
  const el = comp.querySelector(selector)
  return el ? el.dom.textContent.trim() : null
}

/** The class names of an element without simulate's tag prefixes ("main--seat" -> "seat"). */
function classesOf(el) {
  return el.dom.className.split(/\s+/).map((c) => c.replace(/^.*--/, ''))
}

async function tap(el) {
  el.dispatchEvent('tap')
  await new Promise((resolve) => setTimeout(resolve, 0))
}

module.exports = { installPageGlobals, openPage, renderComponent, textOf, classesOf, tap, ROOT }
