import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../protocol/error.js'
import { idempotentWrites } from './idempotency.js'
import { memoryIdempotency } from './idempotency-memory.js'

describe('idempotentWrites', () => {
  it('runs a write once per key, concurrent replays included, and hands every replay the first result', async () => {
    const writes = idempotentWrites()
    let applied = 0
    const write = async () => ({ id: ++applied })
    const results = await Promise.all([writes.run('k-1', write), writes.run('k-1', write), writes.run('k-1', write)])
    expect(results).toEqual([{ id: 1 }, { id: 1 }, { id: 1 }])
    expect(await writes.run('k-2', write)).toEqual({ id: 2 })
    expect(await writes.run(null, write)).toEqual({ id: 3 })
    expect(await writes.run(undefined, write)).toEqual({ id: 4 })
    expect(applied).toBe(4)
  })

  it('forgets a write that failed, so its retry runs', async () => {
    const writes = idempotentWrites()
    await expect(writes.run('k', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down')
    expect(await writes.run('k', () => 'stored')).toBe('stored')
  })

  it('is bounded: the oldest keys go beyond maxEntries, and results expire after ttl', async () => {
    const store = memoryIdempotency({ maxEntries: 2 })
    const writes = idempotentWrites({ store })
    for (const key of ['a', 'b', 'c']) await writes.run(key, () => key)
    expect(store.size()).toBe(2)
    expect(writes.size()).toBe(0) // none running
    expect(await writes.run('a', () => 'again')).toBe('again')
    const expiring = idempotentWrites({ ttl: 1 })
    await expiring.run('k', () => 1)
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(await expiring.run('k', () => 2)).toBe(2)
  })

  it('keeps results as they are in memory (no serialising): a replay gets the same object', async () => {
    const writes = idempotentWrites()
    const first = await writes.run('k', () => ({ at: new Date(0), big: 1n }))
    expect(await writes.run('k', () => ({ at: new Date(1), big: 2n }))).toBe(first)
  })

  it('lets a replay take over a key whose write never finished once its lease is over (a crashed instance)', async () => {
    const store = memoryIdempotency()
    const claim = await store.claim('k', 1) // claimed by an instance that then died
    expect(claim.state).toBe('claimed')
    const writes = idempotentWrites({ store, lease: 1 })
    expect(await writes.run('k', () => 'taken over')).toBe('taken over')
  })

  it('refuses nonsensical options with a TypeError', () => {
    expect(() => idempotentWrites({ ttl: 0 })).toThrow(TypeError)
    expect(() => idempotentWrites({ lease: 1.5 })).toThrow(/lease/)
    expect(() => memoryIdempotency({ maxEntries: 0 })).toThrow(/maxEntries/)
  })

  it('refuses malformed keys with a 400 and runs nothing (fuzzed)', async () => {
    const writes = idempotentWrites()
    const bad = ['', ' ', 'a b', 'x'.repeat(201), 'é', '\n', '\u0000', 'k\u007f']
    for (let i = 0; i < 200; i++) bad.push(String.fromCharCode(...Array.from({ length: 1 + (i % 7) }, () => Math.floor(Math.random() * 0x300))))
    let ran = 0
    for (const key of bad) {
      if (/^[\x21-\x7e]{1,200}$/.test(key)) continue
      const error = await writes.run(key, () => ran++).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(ProtocolError)
      expect(error).toMatchObject({ status: 400, code: 'invalid_request' })
    }
    expect(ran).toBe(0)
    expect(writes.size()).toBe(0)
    expect(await idempotentWrites().run(42 as unknown as string, () => ran++).catch((caught: unknown) => caught)).toBeInstanceOf(ProtocolError)
  })
})
