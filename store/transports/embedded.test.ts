import { describe, expect, it } from 'vitest'
import { createRealityServer } from '../../server/index.js'
import { createStore, embeddedTransport } from '../index.js'

describe('embeddedTransport', () => {
  it('syncs with a server in the same process: fetches, refetches on invalidate, leaves nothing behind', async () => {
    const server = createRealityServer()
    let value = 1
    const store = createStore({ transport: embeddedTransport(server), grace: 10, cacheTime: 10 })
    const h = store.node('a', { fetcher: async () => value })
    const seen: unknown[] = []
    const stop = h.subscribe((s) => seen.push(s.data))
    await expect.poll(() => h.get().data).toBe(1)
    value = 2
    await server.invalidate(['a'])
    await expect.poll(() => h.get().data).toBe(2)
    expect(store.status.get()).toBe('live')
    stop()
    await expect.poll(() => store.debug().nodes).toBe(0)
    expect(store.debug()).toEqual({ nodes: 0, timers: 0, requests: 0, fetches: 0, hydrated: 0, mutations: 0 })
    store.destroy()
    await server.close()
  })
})

describe('at scale, against the real server', () => {
  it('1,000 keys: two requests of 500 to start, one fetch per key per change, a handful of requests in all', async () => {
    const server = createRealityServer()
    const inner = embeddedTransport(server)
    let requests = 0
    const store = createStore({ transport: { sync: (request, signal) => (requests++, inner.sync(request, signal)) } })
    let fetches = 0
    const keys = Array.from({ length: 1000 }, (_, i) => `item:${i}`)
    const round = { n: 1 }
    const handles = keys.map((key) => store.node(key, { fetcher: async () => (fetches++, round.n) }))
    handles.forEach((h) => h.subscribe(() => {}))
    await expect.poll(() => handles.every((h) => h.get().data === 1)).toBe(true)
    expect(fetches).toBe(1000)
    const before = requests
    round.n = 2
    await server.invalidate(keys)
    await expect.poll(() => handles.every((h) => h.get().data === 2)).toBe(true)
    expect(fetches).toBe(2000)
    // 1,000 keys go out as two held requests of 500 (ARCHITECTURE.md C1): a
    // change of every key answers both, and both are re-armed once (the two
    // requests counted here); not one re-arm per part that answered.
    expect(requests - before).toBe(2)
    store.destroy()
    await server.close()
  })
})
