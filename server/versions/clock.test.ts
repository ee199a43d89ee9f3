import { describe, expect, it } from 'vitest'
import { createVersionClock } from './clock.js'

describe('createVersionClock', () => {
  it('follows the clock: ms * 1000, then a counter within the same ms', () => {
    const next = createVersionClock({ now: () => 1732271234567, shareProcessHighWater: false })
    expect(next()).toBe(1732271234567000)
    expect(next()).toBe(1732271234567001)
  })

  it('never goes back when the wall clock does', () => {
    let now = 2_000_000
    const next = createVersionClock({ now: () => now, shareProcessHighWater: false })
    const a = next()
    now = 1_000_000
    expect(next()).toBe(a + 1)
  })

  it('a fresh process later than the previous one issued starts above it (restart, no ABA)', () => {
    let now = 1732271234567
    const before = createVersionClock({ now: () => now, shareProcessHighWater: false })
    let last = 0
    for (let i = 0; i < 999; i++) last = before()
    now += 1 // the restart takes at least a millisecond
    const after = createVersionClock({ now: () => now, shareProcessHighWater: false })
    expect(after()).toBeGreaterThan(last)
  })

  it('instances in one process share a high-water mark, whatever the bump rate', () => {
    const now = () => 1_700_000_000_000
    const first = createVersionClock({ now })
    let last = 0
    for (let i = 0; i < 5000; i++) last = first() // far more than 1,000 per ms
    const second = createVersionClock({ now })
    expect(second()).toBeGreaterThan(last)
  })
})
