/** Backoff: doubling, capped, with half of each wait drawn at random. */
const { backoffDelayMs } = require('../../lib/backoff')
const { newIdempotencyKey } = require('../../lib/ids')

test('doubles per attempt up to the cap', () => {
  const mid = (attempt) => backoffDelayMs(attempt, { baseMs: 100, maxMs: 1000, random: () => 1 })
  expect([0, 1, 2, 3, 4, 5].map(mid)).toEqual([100, 200, 400, 800, 1000, 1000])
})

test('jitter keeps each wait between half and all of its ceiling', () => {
  const low = backoffDelayMs(3, { baseMs: 100, random: () => 0 })
  const high = backoffDelayMs(3, { baseMs: 100, random: () => 0.999999 })
  expect(low).toBe(400)
  expect(high).toBe(800)
  const seen = new Set()
  for (let i = 0; i < 50; i += 1) {
    const delay = backoffDelayMs(3, { baseMs: 100 })
    expect(delay).toBeGreaterThanOrEqual(400)
    expect(delay).toBeLessThanOrEqual(800)
    seen.add(delay)
  }
  expect(seen.size).toBeGreaterThan(1)
})

test('idempotency keys are UUID-shaped and differ', () => {
  const keys = new Set(Array.from({ length: 100 }, newIdempotencyKey))
  expect(keys.size).toBe(100)
  keys.forEach((key) =>
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  )
})
