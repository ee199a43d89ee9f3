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
