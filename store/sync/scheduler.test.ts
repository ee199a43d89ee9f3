import { describe, expect, it } from 'vitest'
import { RealityError } from '../errors.js'
import { focusManager } from '../managers/focus.js'
import { deferred, settle, useManualStores } from '../test-helpers.js'

const setup = useManualStores()

describe('one request per tick (ARCHITECTURE.md C1)', () => {
  it('500 keys subscribed in one tick go out in exactly one request', async () => {
    const { t, store } = setup()
    for (let i = 0; i < 500; i++) store.node(`k:${i}`, { fetcher: () => i }).subscribe(() => {})
    await settle()
    expect(t.requests).toHaveLength(1)
    const known = t.requests[0]!.request.known
    expect(Object.keys(known)).toHaveLength(500)
    expect(Object.values(known).every((v) => v === null)).toBe(true)
  })

  it('a key subscribed while a long-poll is held aborts it; one new request carries both keys and the new key is fetched at once', async () => {
    const { t, store } = setup()
    store.node('a', { fetcher: () => 'A' }).subscribe(() => {})
    await settle()
    t.last().respond({ a: { version: 1 } })
    await settle()
    await settle()
    const held = t.last()
    expect(held.request).toEqual({ v: 1, known: { a: 1 }, wait: 25_000 })
    let fetches = 0
    const b = store.node('b', { fetcher: () => (fetches++, 'B') })
    b.subscribe(() => {})
    await settle()
    expect(held.signal.aborted).toBe(true)
    expect(t.open()).toHaveLength(1)
    expect(t.last().request.known).toEqual({ a: 1, b: null })
    t.last().respond({ b: { version: 0 } })
    await settle()
    expect(fetches).toBe(1)
    expect(b.get()).toMatchObject({ data: 'B', version: 0, status: 'success' })
  })

  it('re-arms the poll once the fetches an answer started have settled, leaving out keys still fetching after 250 ms', async () => {
    const { t, clock, store } = setup()
    const gate = deferred<string>()
    store.node('a', { fetcher: () => gate.promise }).subscribe(() => {})
    store.node('b', { fetcher: () => 'B' }).subscribe(() => {})
    await settle()
    t.last().respond({ a: { version: 5 }, b: { version: 0 } })
    await settle()
    await settle()
    expect(t.requests).toHaveLength(1) // a is still fetching: no poll without it yet
    expect(clock.delays().sort()).toEqual([250, 30_000]) // the rejoin window, the slow fetch's fetchTimeout
    clock.runNext()
    await settle()
    expect(t.last().request).toEqual({ v: 1, known: { b: 0 }, wait: 25_000 })
    const held = t.last()
    gate.resolve('A')
    await settle()
    expect(held.signal.aborted).toBe(true)
    expect(t.last().request.known).toEqual({ a: 5, b: 0 })
    expect(t.open()).toHaveLength(1)
  })

  it('a change of N keys costs one new request: the fetches it started rejoin together', async () => {
    const { t, clock, store } = setup()
    const gates = { a: deferred<string>(), b: deferred<string>(), c: deferred<string>() }
    for (const key of ['a', 'b', 'c'] as const) store.node(key, { fetcher: () => gates[key].promise }).subscribe(() => {})
    store.node('d', { fetcher: () => 'D' }).subscribe(() => {})
    await settle()
    t.last().respond({ a: { version: 1 }, b: { version: 1 }, c: { version: 1 }, d: { version: 1 } })
    await settle()
    await settle()
    const sent = t.requests.length
    gates.a.resolve('A')
    await settle()
    gates.b.resolve('B')
    await settle()
    expect(t.requests.length).toBe(sent) // still fetching c: a, b and d wait (≤ 250 ms)
    gates.c.resolve('C')
    await settle()
    expect(t.requests.length).toBe(sent + 1) // the last one brings every key back in one request
    expect(t.last().request).toEqual({ v: 1, known: { a: 1, b: 1, c: 1, d: 1 }, wait: 25_000 })
    expect(clock.delays()).toEqual([35_000]) // only the held request's deadline (wait + timeout)
  })

  it('a slow fetch keeps settled keys out of the poll for no more than 250 ms', async () => {
    const { t, clock, store } = setup()
    const slow = deferred<string>()
    store.node('slow', { fetcher: () => slow.promise }).subscribe(() => {})
    store.node('fast', { fetcher: () => 'F' }).subscribe(() => {})
    store.node('other', { fetcher: () => 'O' }).subscribe(() => {})
    await settle()
    t.last().respond({ slow: { version: 1 }, fast: { version: 2 }, other: { version: 1 } })
    await settle()
    await settle()
    expect(t.requests).toHaveLength(1)
    expect(clock.delays().sort()).toEqual([250, 30_000]) // the rejoin window, the slow fetch's fetchTimeout
    clock.runNext()
    await settle()
    expect(t.last().request.known).toEqual({ fast: 2, other: 1 })
    slow.resolve('S')
    await settle()
    expect(t.last().request.known).toEqual({ slow: 1, fast: 2, other: 1 })
  })

  it('a change re-polls at once, even when the answer came early (payloads need no fetch)', async () => {
    const { t, clock, store } = setup()
    const node = store.node('a', { fetcher: () => 'fetched' })
    node.subscribe(() => {})
    await settle()
    t.last().respond({ a: { version: 1, payload: 'one' } })
    await settle()
    await settle()
    t.last().respond({ a: { version: 2, payload: 'two' } })
    await settle()
    expect(node.get().data).toBe('two')
    expect(t.open()).toHaveLength(1)
    expect(t.last().request).toEqual({ v: 1, known: { a: 2 }, wait: 25_000 })
    expect(clock.delays()).toEqual([35_000]) // the held request's deadline
  })

  it('leaves out a key while its fetch backs off after a failure', async () => {
    const { t, clock, store } = setup()
    let fail = true
    const a = store.node('a', { fetcher: () => (fail ? Promise.reject(new Error('db down')) : 'A') })
    a.subscribe(() => {})
    store.node('b', { fetcher: () => 'B' }).subscribe(() => {})
    await settle()
    t.last().respond({ a: { version: 3 }, b: { version: 0 } })
    await settle()
    await settle()
    expect(a.get().error).toBeInstanceOf(RealityError)
    expect(a.get().version).toBe(null)
    expect(t.last().request.known).toEqual({ b: 0 })
    fail = false
    clock.runNext()
    await settle()
    expect(a.get()).toMatchObject({ data: 'A', version: 3, error: undefined })
    expect(t.last().request.known).toEqual({ a: 3, b: 0 })
  })
})

describe('live modes', () => {
  it("'events' sends no wait and does not loop", async () => {
    const { t, clock, store } = setup({ live: 'events' })
    store.node('a', { fetcher: () => 'A' }).subscribe(() => {})
    await settle()
    expect(t.last().request.wait).toBeUndefined()
    t.last().respond({ a: { version: 1 } })
    await settle()
    await settle()
    expect(t.requests).toHaveLength(1)
    expect(clock.count).toBe(0)
  })

  it("'interval' checks every `interval` ms while visible and pauses while hidden", async () => {
    const { t, clock, store } = setup({ live: 'interval', interval: 4000 })
    store.node('a', { fetcher: () => 'A' }).subscribe(() => {})
    await settle()
    expect(t.last().request.wait).toBeUndefined()
    t.last().respond({ a: { version: 1 } })
    await settle()
    await settle()
    expect(clock.delays()).toEqual([4000])
    clock.advance(4000)
    await settle()
    expect(t.requests).toHaveLength(2)
    expect(t.last().request).toEqual({ v: 1, known: { a: 1 } })
    t.last().respond()
    await settle()
    expect(clock.delays()).toEqual([4000])
    focusManager.set(false)
    expect(clock.count).toBe(0)
    expect(store.status.get()).toBe('idle')
    focusManager.set(true)
    await settle()
    expect(t.requests).toHaveLength(3)
  })

  it('an answer without changes that comes back early (a server that does not hold) waits a second instead of spinning', async () => {
    const { t, clock, store } = setup()
    store.node('a', { fetcher: () => 'A' }).subscribe(() => {})
    await settle()
    t.last().respond({ a: { version: 1 } })
    await settle()
    await settle()
    const count = t.requests.length
    t.last().respond()
    await settle()
    expect(t.requests).toHaveLength(count)
    expect(clock.delays()).toEqual([1000])
    clock.advance(1000)
    await settle()
    expect(t.requests).toHaveLength(count + 1)
  })
})
