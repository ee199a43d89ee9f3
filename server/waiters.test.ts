import { describe, expect, it } from 'vitest'
import { memoryVersions } from './versions/memory.js'
import type { ChangeListener, VersionStore } from './version-store.js'
import { WaiterRegistry } from './waiters.js'

describe('WaiterRegistry', () => {
  it('shares one watch group among holders of the same keys at the same versions (O(1) per held request)', async () => {
    const registry = new WaiterRegistry(memoryVersions())
    const keys = Array.from({ length: 1000 }, (_, i) => `key:${i}`)
    const known = Object.fromEntries(keys.map((key) => [key, 5]))
    const waiters = Array.from({ length: 3 }, () => ({ wake() {} }))
    // Each request parses its own strings and record; the group keeps none of them.
    const groups = waiters.map((waiter) => registry.add(waiter, JSON.parse(JSON.stringify(keys)), JSON.parse(JSON.stringify(known))))
    expect(new Set(groups).size).toBe(1)
    const other = { wake() {} }
    const otherGroup = registry.add(other, ['key:0'], { 'key:0': null })
    expect(otherGroup).not.toBe(groups[0])
    expect(otherGroup.keys[0]).toBe(groups[0]!.keys[0]) // one interned string for every group
    expect(otherGroup.known()).toEqual({ 'key:0': null })
    expect(registry.stats()).toMatchObject({ waiters: 4, watchedKeys: 1000 })
    for (const waiter of [...waiters, other]) registry.remove(waiter)
    expect(registry.stats()).toEqual({ waiters: 0, watchedKeys: 0, subscriptions: 0 })
  })

  it('wakes only the groups that hold another version than the change', async () => {
    let deliver: ChangeListener = () => {}
    const store: VersionStore = {
      read: async () => new Map(),
      bump: async () => new Map(),
      subscribe: async (listener) => ((deliver = listener), () => {}),
    }
    const registry = new WaiterRegistry(store)
    const woken: string[] = []
    registry.add({ wake: () => woken.push('current') }, ['a'], { a: 7 })
    registry.add({ wake: () => woken.push('stale') }, ['a'], { a: 6 })
    registry.add({ wake: () => woken.push('other key') }, ['b'], { b: 6 })
    await registry.subscribed()
    deliver([{ key: 'a', version: 7 }])
    expect(woken).toEqual(['stale'])
  })
})
