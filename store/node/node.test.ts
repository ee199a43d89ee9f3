import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { createStore } from '../create-store.js'
import { RealityError } from '../errors.js'
import { deferred, manualTimers, manualTransport, settle } from '../test-helpers.js'
import type { NodeOptions, NodeState } from '../types.js'

// The long-poll loop waits a second after an answer that came back within a
// second (Date.now): a frozen clock makes that deterministic.
beforeEach(() => void vi.useFakeTimers({ toFake: ['Date'] }))
afterEach(() => void vi.useRealTimers())

const stores: { destroy(): void }[] = []
afterEach(() => stores.splice(0).forEach((s) => s.destroy()))

/** A store with one subscribed node, answered by hand. */
async function setup<T>(options: NodeOptions<T>) {
  const t = manualTransport()
  const clock = manualTimers()
  const store = createStore({ transport: t.transport, timers: clock.timers, live: 'events' })
  stores.push(store)
  // Another key keeps requests going while `k` is backing off (and left out of `known`).
  store.node('other', { fetcher: () => 0 }).subscribe(() => {})
  const handle = store.node('k', options)
  const shown: unknown[] = []
  const states: NodeState<T>[] = []
  handle.subscribe((s) => (shown.push(s.data), states.push(s)))
  await settle()
  /** Answers the open request with `entry` for `k`, then lets fetches run. */
  const report = async (entry?: { version: number; hash?: string; payload?: unknown }) => {
    if (!t.open().length) {
      void store.sync().catch(() => {})
      await settle()
    }
    t.last().respond(entry ? { k: entry } : {})
    await settle()
  }
  return { t, clock, store, handle, shown, states, report }
}

describe('version fence (ARCHITECTURE.md C2)', () => {
  it('labels data with the version seen when the fetch started; a newer version mid-fetch does not abort it and is fetched after', async () => {
    const gates = [deferred<string>(), deferred<string>()]
    const targets: number[] = []
    let calls = 0
    const { handle, report } = await setup({ fetcher: (_, { version, signal }) => (targets.push(version), signal.aborted, gates[calls++]!.promise) })
    await report({ version: 10 })
    expect(handle.get().status).toBe('loading')
    await report({ version: 20 })
    expect(calls).toBe(1)
    gates[0]!.resolve('data read after v20 was written')
    await settle()
    expect(handle.get().version).toBe(10) // never 20: the fetch targeted 10
    expect(calls).toBe(2)
    gates[1]!.resolve('v20')
    await settle()
    expect(handle.get()).toMatchObject({ data: 'v20', version: 20, status: 'success' })
    expect(targets).toEqual([10, 20])
  })

  it('drops a fetch result when newer exact data (payload) was adopted while it ran', async () => {
    const gate = deferred<string>()
    const { handle, report } = await setup<string>({ fetcher: () => gate.promise })
    await report({ version: 10 })
    await report({ version: 30, payload: 'p30' })
    expect(handle.get()).toMatchObject({ data: 'p30', version: 30 })
    gate.resolve('old')
    await settle()
    expect(handle.get()).toMatchObject({ data: 'p30', version: 30, status: 'success' })
  })

  it('a failed fetch keeps data and version, sets a typed error, and retries after a backoff', async () => {
    let fail = false
    let n = 0
    const { handle, report, clock } = await setup({ fetcher: () => (n++, fail ? Promise.reject(new Error('boom')) : `v${n}`) })
    await report({ version: 1 })
    expect(handle.get()).toMatchObject({ data: 'v1', version: 1 })
    fail = true
    await report({ version: 2 })
    const { error, data, version, status } = handle.get()
    expect({ data, version, status }).toEqual({ data: 'v1', version: 1, status: 'error' })
    expect(error).toBeInstanceOf(RealityError)
    expect(error).toMatchObject({ code: 'fetch_failed', key: 'k' })
    expect(n).toBe(2)
    // The fetch backoff (full jitter over the first 500 ms).
    const delay = clock.delays()
    expect(delay).toHaveLength(1)
    expect(delay[0]).toBeLessThanOrEqual(500)
    fail = false
    clock.advance(500)
    await settle()
    expect(handle.get()).toMatchObject({ data: 'v3', version: 2, status: 'success', error: undefined })
  })

  it('a server that forgot its versions (restart → 0) gets a fresh fetch labelled with the new version', async () => {
    let n = 0
    const { handle, report } = await setup({ fetcher: () => `read ${++n}` })
    await report({ version: 50 })
    expect(handle.get().version).toBe(50)
    await report({ version: 0 })
    expect(handle.get()).toMatchObject({ data: 'read 2', version: 0 })
  })
})

describe('hash (ARCHITECTURE.md C3)', () => {
  it('A → B → A: a fetched result is never labelled with a reported hash', async () => {
    // The DB holds B by the time the fetch for A's version runs.
    let db = 'B'
    let fetches = 0
    const { handle, report } = await setup({ fetcher: () => (fetches++, db) })
    await report({ version: 1, hash: 'hA' })
    expect(handle.get().data).toBe('B')
    await report({ version: 2, hash: 'hB' })
    db = 'A'
    await report({ version: 3, hash: 'hA' })
    expect(fetches).toBe(3) // a naive "remember the reported hash" would skip this fetch
    expect(handle.get()).toMatchObject({ data: 'A', version: 3 })
  })

  it("with the app's own hash(data), an equal hash is adopted without a refetch, a different one refetches", async () => {
    let db = 'A'
    let fetches = 0
    const { handle, report } = await setup({ fetcher: () => (fetches++, db), hash: (d: string) => `h${d}` })
    await report({ version: 1, hash: 'hA' })
    await report({ version: 2, hash: 'hA' })
    expect(fetches).toBe(1)
    expect(handle.get()).toMatchObject({ data: 'A', version: 2 })
    db = 'B'
    await report({ version: 3, hash: 'hB' })
    expect(fetches).toBe(2)
    db = 'A'
    await report({ version: 4, hash: 'hA' })
    expect(fetches).toBe(3)
    expect(handle.get()).toMatchObject({ data: 'A', version: 4 })
  })

  it('payload data carries its hash: a later equal hash is adopted without fetching', async () => {
    let fetches = 0
    const { handle, report } = await setup({ fetcher: () => (fetches++, 'x') })
    await report({ version: 1, hash: 'h1', payload: 'P' })
    await report({ version: 2, hash: 'h1' })
    expect(fetches).toBe(0)
    expect(handle.get()).toMatchObject({ data: 'P', version: 2 })
  })
})

describe('payloads and schemas', () => {
  it('adopts a payload without calling the fetcher, validated by the schema', async () => {
    let fetches = 0
    const { handle, report, states } = await setup({ fetcher: () => (fetches++, { n: 0 }), schema: z.object({ n: z.number() }) })
    await report({ version: 1, payload: { n: 1 } })
    expect(fetches).toBe(0)
    expect(handle.get()).toMatchObject({ data: { n: 1 }, version: 1 })
    await report({ version: 2, payload: { n: 'two' } })
    expect(states.find((s) => s.error)).toMatchObject({ version: 1, data: { n: 1 }, error: { code: 'validation_failed' } })
    // The bad payload is not adopted; the fetcher is asked instead.
    expect(fetches).toBe(1)
    expect(handle.get()).toMatchObject({ data: { n: 0 }, version: 2, error: undefined })
  })

  it('a payload over fetched data (which may be newer than its label) refetches instead', async () => {
    let fetches = 0
    const { handle, report } = await setup({ fetcher: () => `fetched ${++fetches}` })
    await report({ version: 1 })
    await report({ version: 2, payload: 'maybe older than what is shown' })
    expect(fetches).toBe(2)
    expect(handle.get()).toMatchObject({ data: 'fetched 2', version: 2 })
    await report({ version: 3, payload: 'p3' })
    expect(fetches).toBe(3)
    await report({ version: 4, payload: 'p4' })
    expect(handle.get().data).toBe('fetched 4') // still fetched data: payloads apply over exact data only
  })

  it('data refetched before any version was reported is unlabelled, and a payload does not replace it', async () => {
    let db = 16
    const { handle, report } = await setup<number>({ fetcher: () => db })
    await handle.refetch()
    expect(handle.get()).toMatchObject({ data: 16, version: null, isLoading: false })
    db = 17
    await report({ version: 15, payload: 15 }) // an answer computed before write 16 was announced
    expect(handle.get()).toMatchObject({ data: 17, version: 15 })
  })

  it('a schema failure on fetched data is a typed error and leaves version and data unchanged', async () => {
    let value: unknown = 1
    const { handle, report } = await setup({ fetcher: () => value, schema: z.number() })
    await report({ version: 1 })
    value = 'nope'
    await report({ version: 2 })
    expect(handle.get()).toMatchObject({ data: 1, version: 1, status: 'error' })
    expect(handle.get().error).toMatchObject({ code: 'validation_failed', key: 'k' })
    expect(handle.get().error!.message).toMatch(/"k" fails its schema/)
  })

  it('works with an async Standard Schema', async () => {
    const schema = { '~standard': { version: 1 as const, vendor: 'test', validate: async (v: unknown) => (typeof v === 'number' ? { value: v * 2 } : { issues: [{ message: 'not a number' }] }) } }
    const { handle, report } = await setup<number>({ fetcher: () => 21, schema })
    await report({ version: 1 })
    await settle()
    expect(handle.get()).toMatchObject({ data: 42, version: 1 })
  })
})

describe('denied keys and refetch', () => {
  it('a denied key gets a denied error and leaves known until store.sync()', async () => {
    const { handle, t, store } = await setup({ fetcher: () => 1 })
    t.last().respond({}, ['k'])
    await settle()
    expect(handle.get().error).toMatchObject({ code: 'denied' })
    store.node('x', { fetcher: () => 1 }).subscribe(() => {})
    await settle()
    expect(t.last().request.known).toEqual({ other: null, x: null })
    const synced = store.sync()
    await settle()
    // A quick request in flight is not aborted: the sync rides the next one.
    expect(t.open()).toHaveLength(1)
    t.last().respond()
    await settle()
    expect(t.last().request.known).toEqual({ other: null, k: null, x: null })
    t.last().respond()
    await synced
  })

  it('refetch() fetches now and once more after a fetch in flight', async () => {
    const gate = deferred<number>()
    let n = 0
    const { handle, report } = await setup({ fetcher: () => (++n === 1 ? gate.promise : n) })
    await report({ version: 1 })
    const again = handle.refetch()
    expect(n).toBe(1)
    gate.resolve(1)
    await again
    expect(n).toBe(2)
    expect(handle.get()).toMatchObject({ data: 2, version: 1 })
  })
})
