/**
 * The contract every {@link VersionStore} must pass (ARCHITECTURE.md S1–S3).
 * Memory, Redis and Postgres stores all run this same suite from their own
 * test file:
 *
 *   describeVersionStore('memoryVersions', () => memoryVersions())
 *
 * `factory` is called once per test for a fresh store, and once more in the
 * restart test: the second instance must behave like the same store after a
 * process restart (for a networked store: a new client of the same backend).
 */
import { describe, expect, it } from 'vitest'
import type { VersionChange, VersionStore } from '../version-store.js'

/**
 * Options of {@link describeVersionStore}.
 *
 * @example
 * describeVersionStore('redis', () => redisVersions({ url }), { waitFor: (ok) => vi.waitUntil(ok, 10_000) })
 */
export interface ContractOptions {
  /**
   * Waits until `condition()` is true. Networked stores deliver changes
   * asynchronously; the default polls every few milliseconds for up to 10 s.
   */
  waitFor?: (condition: () => boolean) => Promise<void>
}

async function pollUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('Condition not met within the time limit.')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

let keyCounter = 0
/** A key no earlier test used, so stores that persist data (Redis) stay independent per test. */
function freshKey(label: string): string {
  return `contract:${label}:${process.pid}:${Date.now()}:${++keyCounter}`
}

/**
 * Registers the version store contract as a vitest `describe` block.
 *
 * @example
 * import { describeVersionStore } from './contract.js'
 * import { memoryVersions } from './memory.js'
 * describeVersionStore('memoryVersions', () => memoryVersions())
 */
export function describeVersionStore(name: string, factory: () => VersionStore | Promise<VersionStore>, options: ContractOptions = {}): void {
  const waitFor = options.waitFor ?? ((condition: () => boolean) => pollUntil(condition))

  async function withStore<T>(run: (store: VersionStore) => Promise<T>): Promise<T> {
    const store = await factory()
    try {
      return await run(store)
    } finally {
      await store.close?.()
    }
  }

  describe(`VersionStore contract: ${name}`, () => {
    it('reads every never-written key as one stable floor version', () =>
      withStore(async (store) => {
        const [a, b] = [freshKey('unwritten'), freshKey('unwritten')]
        const first = await store.read([a, b])
        const floor = first.get(a)!.version
        expect(Number.isSafeInteger(floor) && floor >= 0).toBe(true)
        expect(first.get(b)).toEqual({ version: floor })
        expect((await store.read([a])).get(a)).toEqual({ version: floor })
        // A bump always lands above the floor.
        expect((await store.bump([a])).get(a)!.version).toBeGreaterThan(floor)
      }))

    it('never lets a write before a restart read as "never written" after it (no lost update)', async () => {
      const key = freshKey('written-before-restart')
      // A client that fetched the key while it was never written holds the floor.
      const held = await withStore(async (store) => {
        const floor = (await store.read([key])).get(key)!.version
        await store.bump([key]) // the client misses this write, then the store restarts
        return floor
      })
      await withStore(async (restarted) => {
        expect((await restarted.read([key])).get(key)!.version).not.toBe(held)
      })
    })

    it('treats __proto__ and constructor as ordinary keys', () =>
      withStore(async (store) => {
        const keys = ['__proto__', 'constructor', 'hasOwnProperty'].map((k) => `${k}`)
        const before = await store.read(keys)
        const bumped = await store.bump(keys)
        const after = await store.read(keys)
        for (const key of keys) {
          expect(bumped.get(key)!.version).toBeGreaterThan(before.get(key)!.version)
          expect(after.get(key)!.version).toBe(bumped.get(key)!.version)
        }
      }))

    it('gives 1,000 concurrent bumps of one key 1,000 distinct, increasing versions', () =>
      withStore(async (store) => {
        const key = freshKey('concurrent')
        const results = await Promise.all(Array.from({ length: 1000 }, () => store.bump([key])))
        const versions = results.map((result) => result.get(key)!.version)
        expect(new Set(versions).size).toBe(1000)
        for (const version of versions) expect(Number.isSafeInteger(version) && version > 0).toBe(true)
        const current = (await store.read([key])).get(key)!.version
        expect(current).toBe(Math.max(...versions))
      }))

    it('bumps many keys at once, each to a new version, and keeps hash and payload', () =>
      withStore(async (store) => {
        const keys = [freshKey('a'), freshKey('b'), freshKey('c')]
        const before = await store.read(keys)
        const bumped = await store.bump(keys, { hash: 'h1', payload: { n: 1 } })
        const after = await store.read(keys)
        for (const key of keys) {
          expect(bumped.get(key)!.version).toBeGreaterThan(before.get(key)!.version)
          expect(after.get(key)).toEqual({ version: bumped.get(key)!.version, hash: 'h1', payload: { n: 1 } })
        }
        // A later bump without meta describes newer data: the old hash must not stick.
        await store.bump([keys[0]!])
        const cleared = (await store.read([keys[0]!])).get(keys[0]!)!
        expect(cleared.hash).toBeUndefined()
        expect(cleared.payload).toBeUndefined()
      }))

    it('never reuses a version a client could hold after a restart (no ABA)', async () => {
      const key = freshKey('restart')
      const issued = new Set<number>()
      await withStore(async (store) => {
        const results = await Promise.all(Array.from({ length: 500 }, () => store.bump([key])))
        for (const result of results) issued.add(result.get(key)!.version)
      })
      await withStore(async (restarted) => {
        const read = (await restarted.read([key])).get(key)!.version
        // Either the store kept the last version (durable) or forgot the key and
        // reads a floor above everything issued: never an older version a client holds.
        expect(read === Math.max(...issued) || read > Math.max(...issued)).toBe(true)
        const results = await Promise.all(Array.from({ length: 500 }, () => restarted.bump([key])))
        for (const result of results) {
          const version = result.get(key)!.version
          expect(issued.has(version)).toBe(false)
          expect(version).toBeGreaterThan(Math.max(...issued))
        }
      })
    })

    it('delivers every bump to every subscriber', () =>
      withStore(async (store) => {
        const key = freshKey('fanout')
        const heard: VersionChange[][] = [[], [], []]
        const unsubscribes = await Promise.all(heard.map((log) => store.subscribe((changes) => log.push(...changes.filter((c) => c.key === key)))))
        const versions: number[] = []
        for (let i = 0; i < 20; i++) versions.push((await store.bump([key], { hash: `h${i}` })).get(key)!.version)
        await waitFor(() => heard.every((log) => log.length === versions.length))
        for (const log of heard) {
          expect(log.map((change) => change.version)).toEqual(versions)
          expect(log.map((change) => change.hash)).toEqual(versions.map((_, i) => `h${i}`))
        }
        for (const unsubscribe of unsubscribes) unsubscribe()
      }))

    it('stops delivering after unsubscribe and leaves nothing behind', () =>
      withStore(async (store) => {
        const key = freshKey('unsubscribe')
        const baseline = store.subscriberCount?.()
        const kept: VersionChange[] = []
        const dropped: VersionChange[] = []
        const keep = await store.subscribe((changes) => kept.push(...changes))
        const drop = await store.subscribe((changes) => dropped.push(...changes))
        if (baseline !== undefined) expect(store.subscriberCount!()).toBe(baseline + 2)
        drop()
        drop() // idempotent: must not remove another subscription
        if (baseline !== undefined) expect(store.subscriberCount!()).toBe(baseline + 1)
        await store.bump([key])
        await waitFor(() => kept.some((change) => change.key === key))
        expect(dropped.filter((change) => change.key === key)).toEqual([])
        keep()
        if (baseline !== undefined) expect(store.subscriberCount!()).toBe(baseline)
      }))

    it('keeps two subscriptions of the same function independent', () =>
      withStore(async (store) => {
        const key = freshKey('same-fn')
        let calls = 0
        const listener = (changes: readonly VersionChange[]) => {
          if (changes.some((change) => change.key === key)) calls++
        }
        const first = await store.subscribe(listener)
        const second = await store.subscribe(listener)
        first()
        await store.bump([key])
        await waitFor(() => calls === 1)
        second()
      }))
  })
}
