import { afterEach, describe, expect, it, vi } from 'vitest'
import { createRealityServer, type RealityServer } from './create-server.js'
import { settled, syncRequest, until } from './test-requests.js'
import type { ChangeListener, VersionChange, VersionEntry, VersionStore } from './version-store.js'
import { memoryVersions } from './versions/memory.js'

const idle = { held: 0, timers: 0, abortListeners: 0, waiters: 0, watchedKeys: 0, subscriptions: 0 }

function hold(server: RealityServer, known: Record<string, number | null>, wait = 30_000, signal?: AbortSignal) {
  return settled(server.handler(syncRequest({ v: 1, known, wait }, signal ? { signal } : {})))
}

/**
 * What a client that is up to date holds for `keys`: their current versions.
 * For never-written keys that is the store's floor version (not 0), so the
 * server has nothing to answer and holds the request.
 */
function upToDate(server: RealityServer, ...keys: string[]): Promise<Record<string, number>> {
  return server.getVersions(keys)
}

async function changedOf(response: Promise<Response>) {
  return ((await (await response).json()) as { changed: Record<string, { version: number }> }).changed
}

/** A store whose versions and change events the test scripts by hand. */
function scriptedStore() {
  const versions = new Map<string, number>()
  const listeners = new Set<ChangeListener>()
  let reads = 0
  const store: VersionStore = {
    async read(keys) {
      reads++
      return new Map<string, VersionEntry>(keys.map((key) => [key, { version: versions.get(key) ?? 0 }]))
    },
    async bump() {
      throw new Error('not used')
    },
    async subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
  return {
    store,
    versions,
    reads: () => reads,
    listeners,
    emit: (changes: VersionChange[]) => listeners.forEach((listener) => listener(changes)),
  }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('long-poll', () => {
  it('answers at once when something differs, including keys the client holds nothing for', async () => {
    const server = createRealityServer()
    await server.invalidate('a')
    expect(Object.keys(await changedOf(server.handler(syncRequest({ v: 1, known: { a: 0 }, wait: 30_000 }))))).toEqual(['a'])
    expect(Object.keys(await changedOf(server.handler(syncRequest({ v: 1, known: { b: null }, wait: 30_000 }))))).toEqual(['b'])
    expect(server.stats()).toEqual(idle)
  })

  it('subscribes before reading: a write landing right after the read still wakes the request', async () => {
    const inner = memoryVersions()
    let armed = true
    const versions: VersionStore = {
      ...inner,
      async read(keys) {
        const result = await inner.read(keys)
        if (armed) {
          armed = false
          await inner.bump(['a']) // committed after the snapshot, before the hold
        }
        return result
      },
    }
    const server = createRealityServer({ versions })
    // The client is up to date (holds the floor of never-written `a`): only the write may answer it.
    const floor = (await inner.read(['a'])).get('a')!.version
    const probe = hold(server, { a: floor })
    await until(() => probe.done)
    expect(Object.keys(await changedOf(probe.promise))).toEqual(['a'])
    expect(server.stats()).toEqual(idle)
  })

  it('wakes only the held requests watching a changed key', async () => {
    const server = createRealityServer()
    const onA = hold(server, await upToDate(server, 'a'))
    const onB = hold(server, await upToDate(server, 'b'))
    const onAC = hold(server, await upToDate(server, 'a', 'c'))
    await until(() => server.stats().waiters === 3)
    expect(server.stats()).toMatchObject({ watchedKeys: 3, subscriptions: 1 })
    const { a } = await server.invalidate('a')
    await until(() => onA.done && onAC.done)
    expect(await changedOf(onA.promise)).toEqual({ a: { version: a } })
    expect(await changedOf(onAC.promise)).toEqual({ a: { version: a } })
    expect(onB.done).toBe(false)
    expect(server.stats()).toMatchObject({ waiters: 1, watchedKeys: 1, held: 1, timers: 1 })
    const { b } = await server.invalidate('b')
    expect(await changedOf(onB.promise)).toEqual({ b: { version: b } })
    expect(server.stats()).toEqual(idle)
  })

  it('answers every key that differs when woken', async () => {
    const server = createRealityServer()
    const probe = hold(server, await upToDate(server, 'a', 'b', 'c'))
    await until(() => server.stats().waiters === 1)
    const versions = await server.invalidate(['a', 'b'])
    expect(await changedOf(probe.promise)).toEqual({ a: { version: versions.a }, b: { version: versions.b } })
  })

  it('ignores a change to the version the client holds, and keeps holding when a re-read shows nothing new', async () => {
    const scripted = scriptedStore()
    scripted.versions.set('a', 5)
    const server = createRealityServer({ versions: scripted.store })
    const probe = hold(server, { a: 5 })
    await until(() => server.stats().waiters === 1)
    expect(scripted.reads()).toBe(1)
    scripted.emit([{ key: 'a', version: 5 }]) // the client already holds it
    scripted.emit([{ key: 'b', version: 9 }]) // not watched
    await new Promise((resolve) => setImmediate(resolve))
    expect(scripted.reads()).toBe(1)
    scripted.emit([{ key: 'a', version: 6 }]) // woken, but the read still says 5
    await until(() => scripted.reads() === 2)
    await new Promise((resolve) => setImmediate(resolve))
    expect(probe.done).toBe(false)
    scripted.versions.set('a', 7)
    scripted.emit([{ key: 'a', version: 7 }])
    expect(await changedOf(probe.promise)).toEqual({ a: { version: 7 } })
    expect(scripted.listeners.size).toBe(0)
  })

  // Deadlines share one timer and are rounded up to 100 ms (server/deadlines.ts):
  // never answered before the wait, at most 100 ms after it.
  it('clamps wait to maxWait and then answers an empty 200', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const server = createRealityServer({ maxWait: 50 })
    const probe = hold(server, await upToDate(server, 'a'), 3_600_000)
    await until(() => server.stats().waiters === 1)
    vi.advanceTimersByTime(49)
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(probe.done).toBe(false)
    vi.advanceTimersByTime(101)
    await until(() => probe.done)
    const response = await probe.promise
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ v: 1, changed: {} })
    expect(server.stats()).toEqual(idle)
  })

  it('holds for the requested wait when it is below maxWait', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const server = createRealityServer({ maxWait: 1000 })
    const probe = hold(server, await upToDate(server, 'a'), 10)
    await until(() => server.stats().waiters === 1)
    vi.advanceTimersByTime(110)
    await until(() => probe.done)
    expect(server.stats()).toEqual(idle)
  })

  it('maxWait 0 never holds', async () => {
    const server = createRealityServer({ maxWait: 0 })
    const response = await server.handler(syncRequest({ v: 1, known: await upToDate(server, 'a'), wait: 30_000 }))
    expect(await response.json()).toEqual({ v: 1, changed: {} })
    expect(server.stats()).toEqual(idle)
  })

  it('releases everything at once when the client aborts', async () => {
    const versions = memoryVersions()
    const server = createRealityServer({ versions })
    const controllers = Array.from({ length: 20 }, () => new AbortController())
    const known = await upToDate(server, 'k0', 'k1', 'k2', 'k3')
    const probes = controllers.map((controller, i) => hold(server, { [`k${i % 4}`]: known[`k${i % 4}`]! }, 30_000, controller.signal))
    await until(() => server.stats().waiters === 20)
    expect(versions.subscriberCount()).toBe(1) // one subscription for all held requests
    expect(server.stats()).toEqual({ held: 20, timers: 20, abortListeners: 20, waiters: 20, watchedKeys: 4, subscriptions: 1 })
    for (const controller of controllers.slice(0, 19)) controller.abort()
    await until(() => server.stats().waiters === 1)
    expect(versions.subscriberCount()).toBe(1)
    controllers[19]!.abort()
    await until(() => probes.every((probe) => probe.done))
    expect(server.stats()).toEqual(idle)
    expect(versions.subscriberCount()).toBe(0)
  })

  it('takes the store subscription lazily and drops it if every waiter left while subscribing', async () => {
    const inner = memoryVersions()
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    const versions: VersionStore = {
      ...inner,
      async subscribe(listener) {
        await gate
        return inner.subscribe(listener)
      },
    }
    const server = createRealityServer({ versions })
    expect(inner.subscriberCount()).toBe(0)
    const controller = new AbortController()
    const first = hold(server, await upToDate(server, 'a'), 30_000, controller.signal)
    const second = hold(server, await upToDate(server, 'b'), 30_000, controller.signal)
    await until(() => server.stats().waiters === 2)
    controller.abort()
    release()
    await until(() => first.done && second.done)
    expect(await changedOf(first.promise)).toEqual({})
    expect(server.stats()).toEqual(idle)
    expect(inner.subscriberCount()).toBe(0)
  })

  it('a request with no allowed keys holds without a subscription and ends on abort', async () => {
    const versions = memoryVersions()
    const server = createRealityServer({ versions })
    const controller = new AbortController()
    const probe = hold(server, {}, 30_000, controller.signal)
    await until(() => server.stats().held === 1)
    expect(versions.subscriberCount()).toBe(0)
    controller.abort()
    await until(() => probe.done)
    expect(server.stats()).toEqual(idle)
  })

  it('an already aborted request is not held', async () => {
    const server = createRealityServer()
    const controller = new AbortController()
    controller.abort()
    // Up to date, so only the abort stops it from being held.
    const response = await server.handler(syncRequest({ v: 1, known: await upToDate(server, 'a'), wait: 30_000 }, { signal: controller.signal }))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ v: 1, changed: {} })
    expect(server.stats()).toEqual(idle)
  })
})
