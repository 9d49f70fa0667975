/**
 * Every page and component through WeChat's own compilers (wcc for WXML, wcsc for WXSS, from the
 * miniprogram-compiler package): what DevTools and the upload would reject fails here first.
 */
const fs = require('fs')
const path = require('path')
const wcc = require('miniprogram-compiler/src/wcc')
const wcsc = require('miniprogram-compiler/src/wcsc')

const ROOT = path.resolve(__dirname, '../..')
const APP = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'))

function components() {
  const dir = path.join(ROOT, 'components')
  return fs.readdirSync(dir).map((name) => `components/${name}/index`)
}

const UNITS = APP.pages.concat(components())

test('app.json names every page folder, and every page has its four files', () => {
  const folders = fs.readdirSync(path.join(ROOT, 'pages')).map((name) => `pages/${name}/index`)
  expect(APP.pages.slice().sort()).toEqual(folders.sort())
  UNITS.forEach((unit) => {
    ;['js', 'json', 'wxml', 'wxss'].forEach((ext) => {
      expect(fs.existsSync(path.join(ROOT, `${unit}.${ext}`)) ? `${unit}.${ext}` : 'missing').toBe(
        `${unit}.${ext}`
      )
    })
  })
})

describe.each(UNITS)('%s', (unit) => {
  test('wcc compiles its WXML', () => {
    const code = wcc(ROOT, [unit], [], { maxBuffer: 16 << 20 })
    expect(code).toContain(`'${unit}.wxml'`)
  })

  test('wcsc compiles its WXSS', () => {
    const compiled = wcsc(ROOT, [unit], { maxBuffer: 16 << 20 })
    if (compiled instanceof Error) throw compiled
    expect(Object.keys(compiled)).toContain(`${unit}.wxss`)
  })
})

test('wcsc compiles app.wxss', () => {
  const compiled = wcsc(ROOT, ['app'], { maxBuffer: 16 << 20 })
  if (compiled instanceof Error) throw compiled
  expect(Object.keys(compiled).join(' ')).toMatch(/app\.wxss/)
})

describe('the compilers catch what WeChat rejects', () => {
  let dir
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'wcc-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  test('an unclosed tag in WXML', () => {
    fs.writeFileSync(path.join(dir, 'bad.wxml'), '<view class="a"><text>hi</view>')
    expect(() => wcc(dir, ['bad'], [])).toThrow(/bad\.wxml/)
  })

  test('a broken rule in WXSS', () => {
    fs.writeFileSync(path.join(dir, 'bad.wxss'), '.a { color: red; \n .b { }} }')
    expect(wcsc(dir, ['bad'])).toBeInstanceOf(Error)
  })
})
