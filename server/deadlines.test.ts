import { afterEach, describe, expect, it, vi } from 'vitest'
import { DeadlineWheel } from './deadlines.js'

afterEach(() => vi.useRealTimers())

describe('DeadlineWheel', () => {
  it('expires items with one timer, never before their wait and at most one slot after', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const wheel = new DeadlineWheel(100)
    const expired: string[] = []
    const item = (name: string) => ({ expire: () => expired.push(name) })
    wheel.add(item('a'), 250)
    wheel.add(item('b'), 250)
    wheel.add(item('c'), 1000)
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(249)
    expect(expired).toEqual([])
    vi.advanceTimersByTime(100)
    expect(expired).toEqual(['a', 'b'])
    expect(wheel.size()).toBe(1)
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(800)
    expect(expired).toEqual(['a', 'b', 'c'])
    expect(wheel.size()).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('re-arms for an earlier deadline, and stops its timer when the last item is removed', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const wheel = new DeadlineWheel(100)
    const late = { expire: vi.fn() }
    const early = { expire: vi.fn() }
    const lateSlot = wheel.add(late, 10_000)
    const earlySlot = wheel.add(early, 100)
    vi.advanceTimersByTime(200)
    expect(early.expire).toHaveBeenCalledOnce()
    expect(late.expire).not.toHaveBeenCalled()
    wheel.remove(early, earlySlot) // already expired: nothing happens
    wheel.remove(late, lateSlot)
    expect(wheel.size()).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('visits every armed item (server close)', () => {
    const wheel = new DeadlineWheel()
    const items = [{ expire() {} }, { expire() {} }]
    const slots = items.map((item, index) => wheel.add(item, 1000 * (index + 1)))
    const seen: unknown[] = []
    wheel.forEach((item) => seen.push(item))
    expect(seen).toEqual(items)
    items.forEach((item, index) => wheel.remove(item, slots[index]!))
  })
})
