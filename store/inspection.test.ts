import { describe, expect, it } from 'vitest'
import { RealityError } from './errors.js'
import { deferred, settle, useManualStores } from './test-helpers.js'
import type { SyncRecord } from './types.js'
import { inspect, onSync } from '../devtools/index.js'

const setup = useManualStores()

describe('inspect(store)', () => {
  it('lists every node: version, status, subscribers, watched or cached, fetching, last fetch, error', async () => {
    const { t, clock, store } = setup({ grace: 100 })
    const gate = deferred<string>()
    const a = store.node('a', { fetcher: () => gate.promise })
    const stops = [a.subscribe(() => {}), a.listen(() => {})]
    store.node('b', { fetcher: () => Promise.reject(new Error('db down')) }).subscribe(() => {})
    store.node('c', { fetcher: () => 'C' }).get()
    await settle()
    t.last().respond({ a: { version: 3 }, b: { version: 1 } })
    await settle()
    expect(inspect(store)).toEqual({
      status: 'live',
      nodes: [
        { key: 'a', version: null, status: 'loading', subscribers: 2, state: 'watched', fetching: true, lastFetchAt: undefined, error: undefined },
        expect.objectContaining({ key: 'b', version: null, status: 'error', subscribers: 1, state: 'watched', fetching: false, error: expect.stringMatching(/db down/) }),
        { key: 'c', version: null, status: 'idle', subscribers: 0, state: 'cached', fetching: false, lastFetchAt: undefined, error: undefined },
      ],
    })
    gate.resolve('A')
    await settle()
    stops.forEach((stop) => stop())
    clock.advance(100)
    expect(inspect(store).nodes[0]).toMatchObject({ key: 'a', version: 3, status: 'success', subscribers: 0, state: 'cached', fetching: false, lastFetchAt: expect.any(Number) })
  })
})

describe('onSync(store)', () => {
  it('reports each settled request (not aborted ones) until unsubscribed', async () => {
    const { t, store } = setup()
    const records: SyncRecord[] = []
    const stop = onSync(store, (record) => records.push(record))
    store.node('a', { fetcher: () => 'A' }).subscribe(() => {})
    store.node('secret', { fetcher: () => 'S' }).subscribe(() => {})
    await settle()
    t.last().respond({ a: { version: 1 } }, ['secret'])
    await settle()
    await settle()
    expect(records).toEqual([{ id: 1, keys: ['a', 'secret'], held: false, changed: ['a'], denied: ['secret'], startedAt: expect.any(Number), duration: expect.any(Number) }])
    const held = t.last()
    expect(held.request.wait).toBe(25_000)
    store.node('b', { fetcher: () => 'B' }).subscribe(() => {}) // aborts the held poll: not reported
    await settle()
    t.last().fail(new RealityError('sync_failed', 'down', { status: 503 }))
    await settle()
    expect(records.map((record) => [record.id, record.held, record.error])).toEqual([
      [1, false, undefined],
      [3, true, 'down'],
    ])
    stop()
    const synced = store.sync()
    await settle()
    t.last().respond()
    await synced
    expect(records).toHaveLength(2)
  })
})

describe('fetchThrough', () => {
  it('every fetch goes through it with the target version; what it resolves is validated and labelled with the target; a rejection is a failed fetch', async () => {
    const calls: [string, number][] = []
    let reject = false
    const { t, store } = setup({
      fetchThrough: async (key, target, run) => {
        calls.push([key, target])
        if (reject) throw new Error('leader gone')
        return `${await run()} via leader`
      },
    })
    const a = store.node('a', { fetcher: () => 'A' })
    a.subscribe(() => {})
    await settle()
    t.last().respond({ a: { version: 7 } })
    await settle()
    expect(calls).toEqual([['a', 7]])
    expect(a.get()).toMatchObject({ data: 'A via leader', version: 7, status: 'success' })
    reject = true
    await a.refetch()
    expect(a.get()).toMatchObject({ data: 'A via leader', version: 7, status: 'error' })
    expect(a.get().error).toMatchObject({ code: 'fetch_failed', message: expect.stringMatching(/leader gone/) })
  })
})
