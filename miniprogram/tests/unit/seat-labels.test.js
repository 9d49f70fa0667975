/** Seat and zone names as people read them on the seat page. */
const { seatName, zoneName } = require('../../lib/seat-labels')

test('seats read E排7座 in Chinese and Row E Seat 7 in English', () => {
  expect(seatName('E', 7, 'zh')).toBe('E排7座')
  expect(seatName('E', 7)).toBe('E排7座')
  expect(seatName('E', 7, 'en')).toBe('Row E Seat 7')
})

test("zones: the service's display name first, then ours, then the code", () => {
  expect(zoneName('premium', 'zh')).toBe('优选区')
  expect(zoneName('standard', 'zh')).toBe('普通区')
  expect(zoneName('couple', 'en')).toBe('Couple')
  expect(zoneName('premium', 'zh', { premium: '黄金区' })).toBe('黄金区')
  expect(zoneName('balcony', 'zh')).toBe('balcony')
})
