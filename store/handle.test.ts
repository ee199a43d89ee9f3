import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore } from './create-store.js'
import { deferred, manualTimers, manualTransport, settle } from './test-helpers.js'

// The long-poll loop waits a second after an answer that came back within a
// second (Date.now): a frozen clock makes that deterministic.
beforeEach(() => void vi.useFakeTimers({ toFake: ['Date'] }))
afterEach(() => void vi.useRealTimers())

const stores: { destroy(): void }[] = []
afterEach(() => stores.splice(0).forEach((s) => s.destroy()))
function setup(options: { cacheTime?: number } = {}) {
  const t = manualTransport()
  const clock = manualTimers()
  const store = createStore({ transport: t.transport, timers: clock.timers, grace: 1000, ...options })
  stores.push(store)
  return { t, clock, store }
}

describe('one node per key (ARCHITECTURE.md C4)', () => {
  it('all handles of a key share one node, one fetch in flight and one state', async () => {
    const { t, store } = setup()
    const gate = deferred<string>()
    let calls = 0
    const fetcher = () => (calls++, gate.promise)
    const a = store.node('k', { fetcher })
    const b = store.node('k', { fetcher })
    a.subscribe(() => {})
    b.subscribe(() => {})
    await settle()
    expect(t.requests).toHaveLength(1)
    t.last().respond({ k: { version: 1 } })
    await settle()
    void a.refetch()
    expect(calls).toBe(1)
    gate.resolve('x')
    await settle()
    expect(a.get()).toBe(b.get())
    expect(store.debug().nodes).toBe(1)
  })

  it("a second caller's fetcher, schema and hash are not used; fallback is per handle", async () => {
    const { t, store } = setup()
    const first = store.node('k', { fetcher: () => 'first', fallback: 'loading…' })
    const second = store.node<string>('k', { fetcher: () => 'second', fallback: 'please wait' })
    const third = store.node<string>('k', { fetcher: () => 'third' })
    expect(first.get().data).toBe('loading…')
    expect(second.get().data).toBe('please wait')
    expect(third.get().data).toBe(undefined)
    second.subscribe(() => {})
    await settle()
    t.last().respond({ k: { version: 1 } })
    await settle()
    expect([first.get().data, second.get().data, third.get().data]).toEqual(['first', 'first', 'first'])
  })

  it('a missing fetcher is a type error, and at run time a fetch_failed error on the node', async () => {
    const { t, store } = setup()
    // @ts-expect-error fetcher is required
    const handle = store.node('k', {})
    handle.subscribe(() => {})
    await settle()
    t.last().respond({ k: { version: 1 } })
    await settle()
    expect(handle.get().error).toMatchObject({ code: 'fetch_failed', key: 'k' })
  })
})

describe('handle = readable atom', () => {
  it('subscribe calls at once and on change; listen only on change; get reads without subscribing', async () => {
    const { t, store } = setup()
    const handle = store.node('k', { fetcher: () => 42 })
    expect(handle.get()).toEqual({ data: undefined, version: null, status: 'idle', error: undefined, isLoading: true })
    expect(store.debug().nodes).toBe(1)
    const got: unknown[] = []
    const heard: unknown[] = []
    const stop = handle.subscribe((s) => got.push(s.data))
    const stopListen = handle.listen((s) => heard.push(s.status))
    expect(got).toEqual([undefined])
    await settle()
    t.last().respond({ k: { version: 3 } })
    await settle()
    expect(got).toEqual([undefined, undefined, 42])
    expect(heard).toEqual(['loading', 'success'])
    stop()
    stopListen()
  })

  it('state objects are immutable and stable between changes (useSyncExternalStore snapshots)', async () => {
    const { t, store } = setup()
    const handle = store.node('k', { fetcher: () => ({ n: 1 }) })
    handle.subscribe(() => {})
    const before = handle.get()
    expect(handle.get()).toBe(before)
    await settle()
    t.last().respond({ k: { version: 1 } })
    await settle()
    const after = handle.get()
    expect(after).not.toBe(before)
    expect(before.data).toBe(undefined)
    expect(handle.get()).toBe(after)
  })

  it('a handle read again after its node is gone finds a fresh node', async () => {
    const { t, clock, store } = setup({ cacheTime: 0 })
    const handle = store.node('k', { fetcher: () => 'v' })
    const stop = handle.subscribe(() => {})
    await settle()
    t.last().respond({ k: { version: 1 } })
    await settle()
    stop()
    clock.advance(1000)
    expect(store.debug().nodes).toBe(0)
    expect(handle.get().version).toBe(null)
    handle.subscribe(() => {})
    await settle()
    expect(t.last().request.known).toEqual({ k: null })
  })
})
