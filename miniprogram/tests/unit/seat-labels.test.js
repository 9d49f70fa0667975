/** Seat and zone names as people read them on the seat page. */
const { seatName, zoneName } = require('../../lib/seat-labels')

test('seats read E排7座 in Chinese and Row E Seat 7 in English', () => {
  expect(seatName('E', 7, 'zh')).toBe('E排7座')
  expect(seatName('E', 7)).toBe('E排7座')
  expect(seatName('E', 7, 'en')).toBe('Row E Seat 7')
})

test('zones by their names, or their code when they have none', () => {
  expect(zoneName('premium', 'zh')).toBe('优选座')
  expect(zoneName('standard')).toBe('普通座')
  expect(zoneName('vip', 'zh')).toBe('贵宾座')
  expect(zoneName('couple', 'en')).toBe('Couple')
  expect(zoneName('balcony', 'zh')).toBe('balcony')
})
