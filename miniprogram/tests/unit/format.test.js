/** Display formats: money, times in the cinema's zone, date tabs, countdowns. */
const f = require('../../lib/format')

test('yuan from integer fen', () => {
  expect(f.yuan(4500)).toBe('¥45')
  expect(f.yuan(4550)).toBe('¥45.50')
  expect(f.yuan(1)).toBe('¥0.01')
  expect(f.yuan(undefined)).toBe('¥0')
})

test("times keep the cinema's wall clock from the ISO offset", () => {
  expect(f.clock('2030-01-01T19:30:00+08:00')).toBe('19:30')
  expect(f.isoDate('2030-01-01T23:30:00-05:00')).toBe('2030-01-01')
  expect(f.dayAndClock('2030-01-01T09:05:00+08:00')).toBe('01-01 09:05')
  expect(f.clock('')).toBe('')
})

test("today in the cinema's zone, not the device's", () => {
  const instant = Date.parse('2030-01-01T20:00:00Z') // 04:00 next day in Shanghai
  expect(f.todayIn('Asia/Shanghai', instant)).toBe('2030-01-02')
  expect(f.todayIn('America/New_York', instant)).toBe('2030-01-01')
})

test('date tabs: today, tomorrow, the day after, then weekdays; across a month end', () => {
  const zh = f.dateTabs('2030-01-30', 5, 'zh')
  expect(zh.map((t) => t.date)).toEqual([
    '2030-01-30',
    '2030-01-31',
    '2030-02-01',
    '2030-02-02',
    '2030-02-03',
  ])
  expect(zh.map((t) => t.label)).toEqual(['今天', '明天', '后天', '周六', '周日'])
  expect(zh[2].day).toBe('2月1日')
  expect(f.dateTabs('2030-01-30', 3, 'en').map((t) => t.label)).toEqual(['Today', 'Tomorrow', 'Fri'])
})

test('countdown', () => {
  const now = Date.parse('2030-01-01T12:00:00Z')
  expect(f.remainingMs('2030-01-01T20:02:05+08:00', now)).toBe(125000)
  expect(f.mmss(125000)).toBe('02:05')
  expect(f.mmss(900000)).toBe('15:00')
  expect(f.remainingMs('2030-01-01T19:00:00+08:00', now)).toBe(0)
  expect(f.remainingMs('garbage', now)).toBe(0)
})

test('seat labels', () => {
  expect(f.seatLabel('B', 7, 'zh')).toBe('B排7座')
  expect(f.seatLabel('B', 7, 'en')).toBe('Row B Seat 7')
})

test('seat ids as people read them, on the order, ticket and orders pages', () => {
  expect(f.seatIdLabel('E-7', 'zh')).toBe('E排7座')
  expect(f.seatIdLabel('E-7', 'en')).toBe('Row E Seat 7')
  expect(f.seatIdLabel('odd', 'zh')).toBe('odd')
  expect(f.seatIdLabels(['E-7', 'E-8'], 'zh')).toBe('E排7座 E排8座')
  expect(f.seatIdLabels([], 'zh')).toBe('')
})

test('distances in metres under a kilometre, then kilometres', () => {
  expect(f.distance(850, 'zh')).toBe('850米')
  expect(f.distance(4200, 'zh')).toBe('4.2公里')
  expect(f.distance(1067000, 'zh')).toBe('1067公里')
  expect(f.distance(999.6, 'en')).toBe('1000m')
  expect(f.distance(null, 'zh')).toBe('')
})

test('display names from the service, the codes when it sent none', () => {
  expect(f.displayNames(['科幻', '冒险'], ['sci-fi', 'adventure'])).toBe('科幻 / 冒险')
  expect(f.displayNames(undefined, ['剧情'])).toBe('剧情')
  expect(f.displayNames([], [])).toBe('')
})
