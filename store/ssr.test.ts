import { afterEach, describe, expect, it } from 'vitest'
import { createRealityServer } from '../server/index.js'
import { createStore } from './create-store.js'
import { embeddedTransport } from './transports/embedded.js'
import { manualTimers, manualTransport, settle } from './test-helpers.js'
import { dehydrate, hydrate } from '../ssr/index.js'

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f()
})

describe('SSR (dehydrate / hydrate)', () => {
  it('a page hydrated from the server store syncs but does not refetch', async () => {
    const server = createRealityServer()
    cleanup.push(() => server.close())
    await server.invalidate(['user:1'])
    let fetches = 0
    const fetcher = async () => (fetches++, { name: 'Ada' })
    // Server side: render with an embedded transport, then dehydrate.
    const ssr = createStore({ transport: embeddedTransport(server), live: 'events' })
    const onServer = ssr.node('user:1', { fetcher })
    onServer.subscribe(() => {})
    await ssr.sync()
    await expect.poll(() => onServer.get().data).toEqual({ name: 'Ada' })
    const snapshot = JSON.parse(JSON.stringify(dehydrate(ssr)))
    ssr.destroy()
    expect(snapshot).toEqual({ v: 1, nodes: { 'user:1': { data: { name: 'Ada' }, version: (await server.getVersions(['user:1']))['user:1'] } } })
    // Browser side: hydrate before the node exists.
    const browser = createStore({ transport: embeddedTransport(server), live: 'events' })
    cleanup.push(() => browser.destroy())
    hydrate(browser, snapshot)
    expect(browser.debug().hydrated).toBe(1)
    const handle = browser.node('user:1', { fetcher })
    expect(handle.get()).toMatchObject({ data: { name: 'Ada' }, status: 'success', isLoading: false })
    expect(browser.debug().hydrated).toBe(0) // the node (created at first read) took the entry
    handle.subscribe(() => {})
    await browser.sync()
    await settle()
    expect(fetches).toBe(1)
    expect(handle.get().version).toBe(snapshot.nodes['user:1'].version)
  })

  it('ignores snapshot entries older than the data held; adopts newer ones', async () => {
    const t = manualTransport()
    const store = createStore({ transport: t.transport, timers: manualTimers().timers })
    cleanup.push(() => store.destroy())
    hydrate(store, { v: 1, nodes: { k: { data: 'v5', version: 5, hash: 'h5' } } })
    const handle = store.node('k', { fetcher: () => 'fetched' })
    hydrate(store, { v: 1, nodes: { k: { data: 'v3', version: 3 } } })
    expect(handle.get()).toMatchObject({ data: 'v5', version: 5 })
    hydrate(store, { v: 1, nodes: { k: { data: 'v9', version: 9 } } })
    expect(handle.get()).toMatchObject({ data: 'v9', version: 9 })
    expect(dehydrate(store)).toEqual({ v: 1, nodes: { k: { data: 'v9', version: 9 } } })
  })

  it('keeps the newest of several snapshots for a key without a node, and dehydrates it', () => {
    const store = createStore({ transport: manualTransport().transport, timers: manualTimers().timers })
    cleanup.push(() => store.destroy())
    hydrate(store, { v: 1, nodes: { k: { data: 'new', version: 9 } } })
    hydrate(store, { v: 1, nodes: { k: { data: 'old', version: 2 }, __proto__x: { data: 1, version: 1 } } })
    expect(dehydrate(store).nodes.k).toEqual({ data: 'new', version: 9 })
  })

  it('keys like __proto__ are data in snapshots', () => {
    const store = createStore({ transport: manualTransport().transport, timers: manualTimers().timers })
    cleanup.push(() => store.destroy())
    const snapshot = JSON.parse('{"v":1,"nodes":{"__proto__":{"data":"p","version":1},"constructor":{"data":"c","version":2}}}')
    hydrate(store, snapshot)
    expect(store.node('__proto__', { fetcher: () => 'x' }).get().data).toBe('p')
    const round = JSON.parse(JSON.stringify(dehydrate(store)))
    expect(Object.keys(round.nodes).sort()).toEqual(['__proto__', 'constructor'])
    expect(Object.getOwnPropertyDescriptor(round.nodes, '__proto__')!.value).toEqual({ data: 'p', version: 1 })
  })

  it('refuses something that is not a snapshot, with a clear error', () => {
    const store = createStore({ transport: manualTransport().transport, timers: manualTimers().timers })
    cleanup.push(() => store.destroy())
    expect(() => hydrate(store, { nodes: {} } as never)).toThrow(/takes what dehydrate\(\) returned/)
    expect(() => hydrate(store, { v: 1, nodes: { k: { data: 1, version: '1' } } } as never)).toThrow(expect.objectContaining({ code: 'invalid_snapshot' }))
  })
})
