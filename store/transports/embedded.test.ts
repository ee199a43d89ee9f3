import { describe, expect, it } from 'vitest'
import { createRealityServer } from '../../server/index.js'
import { createStore, embeddedTransport } from '../index.js'

describe('embeddedTransport', () => {
  it('syncs with a server in the same process: fetches, refetches on invalidate, leaves nothing behind', async () => {
    const server = createRealityServer()
    let value = 1
    const store = createStore({ transport: embeddedTransport(server), grace: 10 })
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
