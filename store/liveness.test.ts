import { describe, expect, it } from 'vitest'
import { RealityError } from './errors.js'
import { focusManager } from './managers/focus.js'
import { onlineManager } from './managers/online.js'
import { settle, useManualStores } from './test-helpers.js'

const setup = useManualStores()

describe('liveness and status (ARCHITECTURE.md C7)', () => {
  it('goes idle → connecting → live, and back to idle when the last node is collected', async () => {
    const { t, clock, store } = setup({ grace: 100 })
    const statuses: string[] = []
    store.status.subscribe((s) => statuses.push(s))
    const stop = store.node('a', { fetcher: () => 'A' }).subscribe(() => {})
    await settle()
    expect(store.status.get()).toBe('connecting')
    t.last().respond({ a: { version: 1 } })
    await settle()
    expect(store.status.get()).toBe('live')
    stop()
    clock.advance(100)
    expect(statuses).toEqual(['idle', 'connecting', 'live', 'idle'])
    expect(t.open()).toHaveLength(0)
  })

  it('hidden aborts the held poll and sends nothing; visible and focus sync at once', async () => {
    const { t, clock, store } = setup()
    store.node('a', { fetcher: () => 'A' }).subscribe(() => {})
    await settle()
    t.last().respond({ a: { version: 1 } })
    await settle()
    await settle()
    const first = t.last()
    focusManager.set(false)
    expect(first.signal.aborted).toBe(true)
    expect(store.status.get()).toBe('idle')
    await settle()
    expect(t.open()).toHaveLength(0)
    focusManager.set(true)
    await settle()
    expect(t.open()).toHaveLength(1)
    // A quick check first, so `live` means "the server answered", not "a
    // request is out" for the whole long-poll.
    expect(t.last().request.wait).toBeUndefined()
    expect(store.status.get()).toBe('connecting')
    t.last().respond()
    await settle()
    expect(store.status.get()).toBe('live')
    expect(t.open()).toHaveLength(1)
    expect(t.last().request.wait).toBe(25_000) // then the held poll, at once
    t.last().respond()
    await settle()
    expect(t.open()).toHaveLength(0) // an early empty answer: the next poll waits a second…
    focusManager.set(true) // …but a window focus event while visible syncs at once
    await settle()
    expect(t.open()).toHaveLength(1)
    expect(clock.delays()).toEqual([35_000]) // only the held request's deadline (wait + timeout)
    const held = t.last()
    focusManager.set(true)
    await settle()
    expect(held.signal.aborted).toBe(true)
    expect(t.open()).toHaveLength(1)
  })

  it('a key subscribed while hidden is synced once, without a held request', async () => {
    const { t, store } = setup()
    focusManager.set(false)
    store.node('a', { fetcher: () => 'A' }).subscribe(() => {})
    await settle()
    expect(t.last().request.wait).toBeUndefined()
    t.last().respond({ a: { version: 1 } })
    await settle()
    await settle()
    expect(t.open()).toHaveLength(0)
    expect(store.status.get()).toBe('idle')
  })

  it('offline aborts the held request, sends nothing and says offline; online syncs at once', async () => {
    const { t, store } = setup()
    store.node('a', { fetcher: () => 'A' }).subscribe(() => {})
    await settle()
    t.last().respond()
    await settle()
    const first = t.last()
    expect(first.request.wait).toBe(25_000)
    onlineManager.set(false)
    expect(first.signal.aborted).toBe(true)
    expect(store.status.get()).toBe('offline')
    await store.sync()
    expect(t.open()).toHaveLength(0)
    onlineManager.set(true)
    await settle()
    expect(t.open()).toHaveLength(1)
    expect(store.status.get()).toBe('connecting')
  })

  it('transient failures back off from 0.5 s doubling to 8 s with full jitter, honour Retry-After (clamped to 5 min), and say reconnecting', async () => {
    const { t, clock, store } = setup()
    store.node('a', { fetcher: () => 'A' }).subscribe(() => {})
    const delays: number[] = []
    for (let i = 0; i < 8; i++) {
      await settle()
      t.last().fail(new RealityError('sync_failed', 'down', { status: 503 }))
      await settle()
      expect(store.status.get()).toBe('reconnecting')
      expect(clock.count).toBe(1)
      delays.push(clock.runNext()!)
    }
    const caps = [500, 1000, 2000, 4000, 8000, 8000, 8000, 8000]
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(0)
      expect(d).toBeLessThanOrEqual(caps[i]!)
    })
    expect(new Set(delays.slice(5)).size).toBeGreaterThan(1) // jitter
    await settle()
    t.last().fail(new RealityError('sync_failed', 'slow down', { status: 429, retryAfter: 45_000 }))
    await settle()
    expect(clock.delays()).toEqual([45_000])
    clock.runNext()
    await settle()
    t.last().fail(new RealityError('sync_failed', 'unavailable', { status: 503, retryAfter: 2_592_000_000 }))
    await settle()
    expect(clock.delays()).toEqual([300_000]) // not 1 ms: setTimeout would overflow
    focusManager.set(true) // an urgent trigger does not skip the server's Retry-After
    await settle()
    expect(clock.delays()).toEqual([300_000])
    clock.runNext()
    await settle()
    t.last().respond()
    await settle()
    expect(store.status.get()).toBe('live')
  })

  it('a new key or a settled fetch waits for the failure backoff; store.sync() cuts it short', async () => {
    const { t, clock, store } = setup()
    store.node('a', { fetcher: () => 'A' }).subscribe(() => {})
    await settle()
    t.last().fail(new TypeError('fetch failed'))
    await settle()
    store.node('b', { fetcher: () => 'B' }).subscribe(() => {})
    await settle()
    expect(t.requests).toHaveLength(1)
    expect(clock.count).toBe(1)
    const synced = store.sync()
    await settle()
    expect(clock.delays()).toEqual([10_000]) // only the quick request's deadline
    expect(t.last().request.known).toEqual({ a: null, b: null })
    t.last().respond()
    await synced
  })

  it('an error a retry will not fix says error, retries by itself about every 60 s, and store.sync() rejects with it', async () => {
    const { t, clock, store } = setup()
    store.node('a', { fetcher: () => 'A' }).subscribe(() => {})
    await settle()
    t.last().fail(new RealityError('sync_failed', 'bad request', { status: 400 }))
    await settle()
    expect(store.status.get()).toBe('error')
    expect(clock.delays()).toHaveLength(1)
    expect(clock.delays()[0]).toBeGreaterThanOrEqual(45_000)
    expect(clock.delays()[0]).toBeLessThanOrEqual(75_000)
    clock.runNext() // a retry by itself, as outside a browser no focus or online event comes
    await settle()
    expect(t.requests).toHaveLength(2)
    t.last().fail(new RealityError('sync_failed', 'bad request', { status: 400 }))
    await settle()
    const synced = store.sync()
    await settle()
    t.last().fail(new RealityError('protocol_mismatch', 'not v1'))
    await expect(synced).rejects.toMatchObject({ code: 'protocol_mismatch' })
    expect(store.status.get()).toBe('error')
    const again = store.sync()
    await settle()
    t.last().respond()
    await again
    expect(store.status.get()).toBe('live')
  })
})
