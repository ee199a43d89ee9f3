/**
 * Tab sharing in Node: several "tabs" (a store and its `shareTabs()` each) in
 * one process talk over Node's real BroadcastChannel to a real loopback
 * server. Node has no Web Locks, so this is the fallback election (and no
 * fetch-once); tabs/browser.test.ts runs the Web Locks path in Chromium.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { RealityServerOptions } from '../server/index.js'
import { until } from '../test/loopback.js'
import { createStore, type RealityError, type Store } from '../store/index.js'
import { shareTabs, type SharedTabs } from './index.js'
import { startTabsTestServer, type TabsTestServer } from './test-server.js'

interface Tab {
  store: Store
  tabs: SharedTabs
  shown: Map<string, unknown>
  close(): void
}

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function openTab(server: TabsTestServer, keys: string[], endpoint = '/reality/sync'): Tab {
  const tabs = shareTabs({ endpoint: server.origin + endpoint })
  const store = createStore({ ...tabs, wait: 5000 })
  const shown = new Map<string, unknown>()
  const stops = keys.map((key) =>
    store.node(key, { fetcher: async (_key, { signal }) => (await fetch(`${server.origin}/data/${key}`, { signal })).json() }).subscribe(({ data }) => shown.set(key, data)),
  )
  let closed = false
  const tab: Tab = {
    store,
    tabs,
    shown,
    close() {
      if (closed) return
      closed = true
      stops.forEach((stop) => stop())
      store.destroy()
      tabs.close()
    },
  }
  cleanups.push(() => tab.close())
  return tab
}

async function start(options: RealityServerOptions = {}): Promise<TabsTestServer> {
  const server = await startTabsTestServer({}, options)
  cleanups.push(() => server.close())
  return server
}

describe('shareTabs (fallback election over BroadcastChannel)', () => {
  it('elects one leader; the server sees one held request carrying every tab’s keys; each change reaches every tab watching it', async () => {
    const server = await start()
    const tabs = [openTab(server, ['k1', 'k2']), openTab(server, ['k2', 'k3']), openTab(server, ['k1', 'k3'])]
    await until(() => tabs.every((tab) => [...tab.shown.values()].every((value) => typeof value === 'string' && value.endsWith(':initial'))), 'every tab to show its keys')
    await until(() => tabs.every((tab) => tab.store.status.get() === 'live'), 'every tab to be live', 10_000)
    expect(tabs.filter((tab) => tab.tabs.debug().leader)).toHaveLength(1)
    await until(() => server.open('/reality/sync') === 1 && server.syncs.at(-1)?.wait, 'one held request')
    expect(Object.keys(server.syncs.at(-1)!.known).sort()).toEqual(['k1', 'k2', 'k3'])

    const before = server.syncs.length
    await server.write('k1', 'k1:v2')
    await until(() => tabs[0]!.shown.get('k1') === 'k1:v2' && tabs[2]!.shown.get('k1') === 'k1:v2', 'the change in both tabs watching k1')
    await until(() => server.open('/reality/sync') === 1 && server.syncs.at(-1)?.wait && server.syncs.at(-1)?.known.k1 !== undefined, 'one held request again')
    // The held request that answered, and at most one new held request per tab re-joining: never one per tab per change.
    expect(server.syncs.length - before).toBeLessThanOrEqual(tabs.length)
    expect(server.open()).toBe(1)
    expect(tabs[1]!.shown.get('k1')).toBeUndefined()
  })

  it('a follower’s status follows the leader’s connection: a refused request reaches every tab as reconnecting', async () => {
    const server = await start()
    const tabs = [openTab(server, ['a']), openTab(server, ['a'])]
    await until(() => tabs.every((tab) => tab.store.status.get() === 'live'), 'both live')
    await server.reality.close() // answers held requests, then 503 with Retry-After
    await until(() => tabs.every((tab) => tab.store.status.get() === 'reconnecting'), 'both reconnecting')
  })

  it('when the leader tab goes, another takes over and every tab keeps updating; nothing is left behind when all go', async () => {
    const server = await start()
    const tabs = [openTab(server, ['x']), openTab(server, ['x']), openTab(server, ['x'])]
    await until(() => tabs.every((tab) => tab.shown.get('x') === 'x:initial' && tab.store.status.get() === 'live'), 'all live')
    const leader = tabs.find((tab) => tab.tabs.debug().leader)!
    leader.close()
    const rest = tabs.filter((tab) => tab !== leader)
    await server.write('x', 'x:after')
    await until(() => rest.every((tab) => tab.shown.get('x') === 'x:after'), 'the write in the remaining tabs', 15_000)
    expect(rest.filter((tab) => tab.tabs.debug().leader)).toHaveLength(1)
    await until(() => server.open() === 1, 'one request held by the new leader')
    rest.forEach((tab) => tab.close())
    for (const tab of tabs) expect(tab.tabs.debug()).toEqual({ leader: false, requests: 0 })
    await until(() => server.open() === 0 && server.reality.stats().held === 0, 'the server to see no request left')
  })

  it('a key the server denies is denied in the tab watching it, through the leader; the other keys keep working', async () => {
    const server = await start({ authorize: (_request, keys) => keys.filter((key) => key !== 'secret') })
    const [open, secret] = [openTab(server, ['public']), openTab(server, ['public', 'secret'])]
    const secretNode = secret.store.node('secret', { fetcher: () => 'never' })
    await until(() => (secretNode.get().error as RealityError | undefined)?.code === 'denied', 'the denial in the tab watching the key')
    expect(secretNode.get().data).toBeUndefined()
    await server.write('public', 'public:v2')
    await until(() => open.shown.get('public') === 'public:v2' && secret.shown.get('public') === 'public:v2', 'the other key in both tabs')
  })

  it('tabs syncing with another endpoint are not mixed in', async () => {
    const server = await start()
    const main = [openTab(server, ['m']), openTab(server, ['m'])]
    const other = openTab(server, ['o'], '/other/sync')
    await until(() => main.every((tab) => tab.store.status.get() === 'live') && other.store.status.get() === 'live', 'all live')
    await until(() => server.open('/reality/sync') === 1 && server.open('/other/sync') === 1, 'one held request per endpoint')
    expect(other.tabs.debug().leader).toBe(true)
    expect(server.syncs.filter((sync) => sync.path === '/reality/sync').every((sync) => !('o' in sync.known))).toBe(true)
    expect(server.syncs.filter((sync) => sync.path === '/other/sync').every((sync) => Object.keys(sync.known).join() === 'o')).toBe(true)
  })
})
