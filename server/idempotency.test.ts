import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../protocol/error.js'
import { idempotentWrites } from './idempotency.js'

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
    const writes = idempotentWrites({ maxEntries: 2 })
    for (const key of ['a', 'b', 'c']) await writes.run(key, () => key)
    expect(writes.size()).toBe(2)
    expect(await writes.run('a', () => 'again')).toBe('again')
    const expiring = idempotentWrites({ ttl: -1 })
    await expiring.run('k', () => 1)
    expect(await expiring.run('k', () => 2)).toBe(2)
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
  })
})
