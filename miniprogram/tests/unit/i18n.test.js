/** Messages for the service's error codes: Chinese by default, English on request or from WeChat. */
const i18n = require('../../lib/i18n')
const config = require('../../config')
const { ApiError } = require('../../lib/errors')
const { createFakeWx } = require('../support/fake-wx')

afterEach(() => {
  config.locale = ''
  delete global.wx
})

const SEAT_CODES = [
  'seat_unavailable',
  'stranded_seat',
  'too_many_seats',
  'hold_limit',
  'couple_pair',
  'wheelchair_space',
  'no_block',
  'sales_closed',
  'hold_expired',
  'hold_not_owned',
  'rate_limited',
  'not_found',
]

test('every seat rule code has a message in both languages', () => {
  SEAT_CODES.forEach((code) => {
    expect(i18n.errorMessage({ code, details: {} }, 'zh')).not.toMatch(/操作失败/)
    expect(i18n.errorMessage({ code, details: {} }, 'en')).not.toMatch(/That did not work/)
  })
  expect(Object.keys(i18n.MESSAGES.zh).sort()).toEqual(Object.keys(i18n.MESSAGES.en).sort())
})

test('details fill the message: seats, limits, retry time', () => {
  const stranded = new ApiError('stranded_seat', 'x', { details: { seats: ['B-3', 'B-4'] } })
  expect(i18n.errorMessage(stranded, 'zh')).toBe('请不要留下单个空座（B-3、B-4），换个选法吧')
  expect(i18n.errorMessage(stranded, 'en')).toBe(
    'Please do not leave a single empty seat (B-3, B-4); try another choice'
  )
  expect(i18n.errorMessage({ code: 'too_many_seats', details: {} }, 'zh')).toBe('每单最多选6个座位')
  expect(i18n.errorMessage({ code: 'too_many_seats', details: { max_seats: 4 } }, 'zh')).toBe(
    '每单最多选4个座位'
  )
  expect(i18n.errorMessage({ code: 'no_block', details: { count: 4 } }, 'zh')).toBe(
    '没有找到4个相连的空座，试试手动选座'
  )
  expect(i18n.errorMessage(new ApiError('rate_limited', 'x', { retryAfterS: 5 }), 'zh')).toBe(
    '操作太频繁了，请5秒后再试'
  )
  expect(i18n.errorMessage({ code: 'rate_limited', details: {} }, 'en')).toBe(
    'Too many tries; please try again shortly'
  )
  // Before a premiere's on-sale (early booking opens it sooner for top member tiers): when, in
  // the cinema's time as the service sends it.
  const early = { code: 'sales_not_open', details: { opens_at: '2026-12-24T10:00:00+08:00' } }
  expect(i18n.errorMessage(early, 'zh')).toBe('这个场次12-24 10:00开售，到时再来选座')
  expect(i18n.errorMessage(early, 'en')).toBe('Tickets for this showtime go on sale 12-24 10:00')
  // Snacks sold out: how many are left; without a count the stock was moving, so try again.
  const soldOut = { code: 'snack_sold_out', details: { snack_id: 2, left: 1 } }
  expect(i18n.errorMessage(soldOut, 'zh')).toBe('卖品库存不足，仅剩1份')
  expect(i18n.errorMessage({ code: 'snack_sold_out', details: {} }, 'zh')).toBe(
    '卖品库存正在变化，请稍后再试'
  )
})

test("unknown codes: the service's message in English, a sentence naming the code in Chinese", () => {
  const err = new ApiError('brand_new_rule', 'Something new happened')
  expect(i18n.errorMessage(err, 'en')).toBe('Something new happened')
  expect(i18n.errorMessage(err, 'zh')).toBe('操作失败（brand_new_rule），请稍后再试')
})

test('the language: config first, then WeChat, Chinese by default', () => {
  global.wx = createFakeWx({ language: 'en_US' })
  expect(i18n.currentLocale()).toBe('en')
  config.locale = 'zh'
  expect(i18n.currentLocale()).toBe('zh')
  config.locale = ''
  global.wx = createFakeWx({ language: 'zh_CN' })
  expect(i18n.currentLocale()).toBe('zh')
  delete global.wx
  expect(i18n.currentLocale()).toBe('zh')
})

test('labels() gives a prefix group for templates', () => {
  expect(i18n.labels('map', 'zh').screen).toBe('银幕')
  expect(i18n.labels('map', 'en').confirm).toBe('Confirm seats')
})
