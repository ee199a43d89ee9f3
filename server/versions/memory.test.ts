import { describe, expect, it, vi } from 'vitest'
import { describeVersionStore } from './contract.js'
import { memoryVersions } from './memory.js'

describeVersionStore('memoryVersions', () => memoryVersions())

describe('memoryVersions', () => {
  it('keeps delivering to other listeners when one throws', async () => {
    const onListenerError = vi.fn()
    const store = memoryVersions({ onListenerError })
    const heard: string[] = []
    await store.subscribe(() => {
      throw new Error('boom')
    })
    await store.subscribe((changes) => heard.push(...changes.map((change) => change.key)))
    await store.bump(['a'])
    expect(heard).toEqual(['a'])
    expect(onListenerError).toHaveBeenCalledTimes(1)
  })

  it('lets a listener unsubscribe another during delivery without skipping or crashing', async () => {
    const store = memoryVersions()
    const heard: string[] = []
    let unsubscribeB = () => {}
    await store.subscribe(() => unsubscribeB())
    unsubscribeB = await store.subscribe(() => heard.push('b'))
    await store.subscribe(() => heard.push('c'))
    await store.bump(['k'])
    expect(heard).toEqual(['c'])
    expect(store.subscriberCount()).toBe(2)
  })

  it('bumps a key listed twice once', async () => {
    const store = memoryVersions()
    let batches = 0
    await store.subscribe((changes) => {
      batches++
      expect(changes).toHaveLength(1)
    })
    const result = await store.bump(['k', 'k'])
    expect(result.size).toBe(1)
    expect(batches).toBe(1)
  })

  it('is unusable after close and drops its listeners', async () => {
    const store = memoryVersions()
    await store.subscribe(() => {})
    await store.close!()
    expect(store.subscriberCount()).toBe(0)
    await expect(store.read(['a'])).rejects.toThrow(/closed/)
  })

  it('does not let a caller change stored entries through a read result', async () => {
    const store = memoryVersions()
    await store.bump(['a'], { hash: 'x' })
    const entry = (await store.read(['a'])).get('a')!
    expect(() => {
      ;(entry as { version: number }).version = 1
    }).toThrow()
  })
})

describe('memoryVersions readChanged (the handler fast path)', () => {
  it('returns exactly the entries a filtered read would, in key order', async () => {
    const store = memoryVersions()
    const bumped = await store.bump(['a', 'b', '__proto__'], { hash: 'h' })
    const keys = ['never', 'a', 'b', '__proto__', 'constructor']
    const floor = (await store.read(['never'])).get('never')!.version
    const known: Record<string, number | null> = Object.create(null)
    Object.assign(known, { never: floor, a: bumped.get('a')!.version, b: 1, constructor: null })
    known['__proto__'] = 5
    const fast = await store.readChanged(keys, known)
    const read = await store.read(keys)
    expect([...fast]).toEqual(keys.filter((key) => known[key] !== read.get(key)!.version).map((key) => [key, read.get(key)]))
    expect([...fast.keys()]).toEqual(['b', '__proto__', 'constructor'])
  })

  it('is not copied by a spread, so wrappers keep using their own read', () => {
    const store = memoryVersions()
    expect('readChanged' in { ...store }).toBe(false)
  })
})
