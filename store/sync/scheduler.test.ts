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

  it('re-arms the poll at once after an answer: a key still fetching goes in with the version its fetch labels', async () => {
    const { t, store } = setup()
    const gate = deferred<string>()
    const a = store.node('a', { fetcher: () => gate.promise })
    a.subscribe(() => {})
    store.node('b', { fetcher: () => 'B' }).subscribe(() => {})
    await settle()
    t.last().respond({ a: { version: 5 }, b: { version: 0 } })
    await settle()
    await settle()
    expect(t.requests).toHaveLength(2)
    const held = t.last()
    expect(held.request).toEqual({ v: 1, known: { a: 5, b: 0 }, wait: 25_000 })
    gate.resolve('A')
    await settle()
    // The fetch labelled its data 5, as the poll said: nothing to re-send.
    expect(a.get()).toMatchObject({ data: 'A', version: 5 })
    expect(held.signal.aborted).toBe(false)
    expect(t.requests).toHaveLength(2)
  })

  it('a change of N keys costs one new request, however long the N fetches take', async () => {
    const { t, clock, store } = setup()
    const gates = { a: deferred<string>(), b: deferred<string>(), c: deferred<string>() }
    for (const key of ['a', 'b', 'c'] as const) store.node(key, { fetcher: () => gates[key].promise }).subscribe(() => {})
    store.node('d', { fetcher: () => 'D' }).subscribe(() => {})
    await settle()
    t.last().respond({ a: { version: 1 }, b: { version: 1 }, c: { version: 1 }, d: { version: 1 } })
    await settle()
    await settle()
    const sent = t.requests.length
    expect(t.last().request).toEqual({ v: 1, known: { a: 1, b: 1, c: 1, d: 1 }, wait: 25_000 })
    gates.a.resolve('A')
    await settle()
    gates.b.resolve('B')
    await settle()
    gates.c.resolve('C')
    await settle()
    expect(t.requests.length).toBe(sent)
    expect(t.open()).toHaveLength(1)
    expect(clock.delays()).toEqual([35_000]) // only the held request's deadline (wait + timeout)
  })

  it('a failed fetch re-sends the poll without its key; once the backoff ends the key rejoins as its retry runs (C2)', async () => {
    const { t, clock, store } = setup()
    const failing = deferred<string>()
    let calls = 0
    const a = store.node('a', { fetcher: () => (++calls === 2 ? failing.promise : `A${calls}`) })
    a.subscribe(() => {})
    store.node('b', { fetcher: () => 'B' }).subscribe(() => {})
    await settle()
    t.last().respond({ a: { version: 1 }, b: { version: 1 } })
    await settle()
    await settle()
    t.last().respond({ a: { version: 2 } })
    await settle()
    await settle()
    const whileFetching = t.last()
    expect(whileFetching.request.known).toEqual({ a: 2, b: 1 })
    failing.reject(new Error('down'))
    await settle()
    expect(whileFetching.signal.aborted).toBe(true)
    expect(t.last().request.known).toEqual({ b: 1 }) // backing off: left out
    expect(a.get()).toMatchObject({ data: 'A1', version: 1, status: 'error' })
    clock.runNext() // the backoff ends: the fetch runs again, and the key rejoins with its target
    await settle()
    expect(calls).toBe(3)
    expect(t.last().request.known).toEqual({ a: 2, b: 1 })
    expect(t.open()).toHaveLength(1)
    expect(a.get()).toMatchObject({ data: 'A3', version: 2, status: 'success' })
  })

  it('a key whose fetch was overtaken by a newer version stays out of the poll until the fetch for it starts (no answer-at-once loop)', async () => {
    const { t, store } = setup()
    const gates = [deferred<string>(), deferred<string>()]
    let calls = 0
    const a = store.node('a', { fetcher: () => gates[calls++]!.promise })
    a.subscribe(() => {})
    store.node('b', { fetcher: () => 'B' }).subscribe(() => {})
    await settle()
    t.last().respond({ a: { version: 1 }, b: { version: 1 } })
    await settle()
    await settle()
    expect(t.last().request.known).toEqual({ a: 1, b: 1 })
    t.last().respond({ a: { version: 2 } }) // written again while the fetch for 1 runs
    await settle()
    await settle()
    const sent = t.requests.length
    expect(t.last().request.known).toEqual({ b: 1 }) // a with 1 would be answered at once, forever
    await settle()
    expect(t.requests.length).toBe(sent)
    gates[0]!.resolve('A1')
    await settle()
    expect(t.last().request.known).toEqual({ a: 2, b: 1 }) // the fetch for 2 runs: a rejoins with it
    gates[1]!.resolve('A2')
    await settle()
    expect(a.get()).toMatchObject({ data: 'A2', version: 2 })
    expect(t.open()).toHaveLength(1)
  })

  it('a payload adopted while a fetch runs puts its version in the poll, not the older target', async () => {
    const { t, store } = setup()
    const gate = deferred<string>()
    const a = store.node('a', { fetcher: () => gate.promise })
    a.subscribe(() => {})
    await settle()
    t.last().respond({ a: { version: 1 } })
    await settle()
    await settle()
    t.last().respond({ a: { version: 2, payload: 'P2' } })
    await settle()
    await settle()
    expect(a.get()).toMatchObject({ data: 'P2', version: 2 })
    expect(t.last().request.known).toEqual({ a: 2 })
    gate.resolve('A1') // older than what it holds now: dropped
    await settle()
    expect(a.get()).toMatchObject({ data: 'P2', version: 2 })
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
