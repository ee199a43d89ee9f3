import { flushPromises, mount } from '@vue/test-utils'
import { createApp, defineComponent, effectScope, h, nextTick, ref, watchEffect } from 'vue'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createStore, type Store, type Transport } from '../../store/index.js'
import KeyView from './fixtures/KeyView.vue'
import { RealityPlugin, useReality } from './index.js'
import { startLoopbackServer, type LoopbackServer } from '../../test/loopback.js'
import { ROUTE_KEYS, routeAtoBtoA, routeDatabase } from '../../test/route-revisit.js'
import { dehydrate } from '../../ssr/index.js'

let server: LoopbackServer | undefined
let store: Store | undefined
afterEach(async () => {
  vi.restoreAllMocks()
  store?.destroy()
  await server?.close()
  server = store = undefined
})

const idle = { nodes: 0, timers: 0, requests: 0, fetches: 0, hydrated: 0, mutations: 0 }

/** Window listeners the store's focus/online managers hold right now. */
function countManagerListeners(): () => number {
  let count = 0
  const types = new Set(['visibilitychange', 'focus', 'online', 'offline'])
  const add = window.addEventListener.bind(window)
  const remove = window.removeEventListener.bind(window)
  vi.spyOn(window, 'addEventListener').mockImplementation((type: string, ...rest: any[]) => {
    if (types.has(type)) count++
    return add(type, ...(rest as [any]))
  })
  vi.spyOn(window, 'removeEventListener').mockImplementation((type: string, ...rest: any[]) => {
    if (types.has(type)) count--
    return remove(type, ...(rest as [any]))
  })
  return () => count
}
/** A server where every key is at version 1 (so each node fetches once). */
const versionOne: Transport = {
  async sync({ known }) {
    const changed: Record<string, { version: number }> = {}
    for (const key in known) if (known[key] !== 1) changed[key] = { version: 1 }
    return { v: 1, changed }
  },
}

describe('vue lifecycle', () => {
  it('unmount leaves no node, timer, window listener, request or held long-poll behind', async () => {
    server = await startLoopbackServer()
    store = createStore({ endpoint: server.endpoint, grace: 20, cacheTime: 0 })
    const fetcher = vi.fn(async () => 'hello')
    const listeners = countManagerListeners()
    const first = mount(KeyView, { props: { nodeKey: 'greeting', fetcher }, global: { plugins: [[RealityPlugin, { store }]] } })
    const second = mount(KeyView, { props: { nodeKey: 'greeting', fetcher }, global: { plugins: [[RealityPlugin, { store }]] } })
    await expect.poll(() => second.get('h1').text(), { timeout: 10_000 }).toBe('hello')
    await expect.poll(() => server!.reality.stats().held, { timeout: 10_000 }).toBe(1)
    expect(fetcher).toHaveBeenCalledTimes(1)
    expect(store.debug()).toMatchObject({ nodes: 1, requests: 1 })
    expect(listeners()).toBeGreaterThan(0)

    first.unmount()
    second.unmount()
    await expect.poll(() => store!.debug(), { timeout: 10_000 }).toEqual(idle)
    expect(listeners()).toBe(0)
    await expect.poll(() => server!.reality.stats(), { timeout: 10_000 }).toMatchObject({ held: 0, waiters: 0, abortListeners: 0 })
    expect(fetcher).toHaveBeenCalledTimes(1)
  })

  it('in a bare effectScope: subscribes at once, and scope.stop() lets the node go', async () => {
    store = createStore({ transport: versionOne, live: 'events', grace: 0, cacheTime: 0 })
    const fetcher = vi.fn(async () => 5)
    const scope = effectScope()
    const count = scope.run(() => useReality('count', { fetcher, store }))!
    await expect.poll(() => count.data.value).toBe(5)
    expect(count.status.value).toBe('success')
    scope.stop()
    await expect.poll(() => store!.debug()).toEqual(idle)
  })

  it('a component reading only data does not re-run on a status-only change', async () => {
    store = createStore({ transport: versionOne, live: 'events' })
    const value = { text: 'same object every time' }
    let release: () => void = () => {}
    const scope = effectScope()
    const runs = { data: 0, status: 0 }
    const refs = scope.run(() => {
      const refs = useReality('stable', { fetcher: () => new Promise<typeof value>((resolve) => (release = () => resolve(value))), store })
      watchEffect(() => void (refs.data.value, runs.data++))
      watchEffect(() => void (refs.status.value, runs.status++))
      return refs
    })!
    await expect.poll(() => refs.status.value).toBe('loading')
    release()
    await expect.poll(() => refs.data.value).toBe(value)
    await flushPromises()
    const before = { ...runs }

    const refetched = refs.refetch()
    await expect.poll(() => refs.status.value).toBe('loading')
    await flushPromises()
    release() // the same data object again: only the status moves
    await refetched
    await flushPromises()
    expect(refs.status.value).toBe('success')
    expect(runs.status).toBe(before.status + 2)
    expect(runs.data).toBe(before.data)
    scope.stop()
  })
})

describe('vue misuse gets a clear error', () => {
  it('useReality outside setup() or an effect scope', () => {
    store = createStore({ transport: versionOne, live: 'events' })
    expect(() => useReality('x', { fetcher: () => 1, store })).toThrow('useReality must run inside setup() or an effectScope()')
  })

  it('RealityPlugin without a store', () => {
    // @ts-expect-error the store option is required
    expect(() => createApp({}).use(RealityPlugin)).toThrow(/app\.use\(RealityPlugin, \{ store/)
  })
})

describe('vue reactive key', () => {
  it('follows a key ref: the new node is subscribed, the old one released', async () => {
    store = createStore({ transport: versionOne, live: 'events', grace: 0, cacheTime: 0 })
    const fetcher = vi.fn(async (key: string) => `data of ${key}`)
    const key = ref('user:1')
    const scope = effectScope()
    const user = scope.run(() => useReality(key, { fetcher, store }))!
    await expect.poll(() => user.data.value).toBe('data of user:1')

    key.value = 'user:2'
    await expect.poll(() => user.data.value).toBe('data of user:2')
    // user:1 lost its only subscriber: gone after the (zero) grace delay and cache time.
    await expect.poll(() => store!.debug().nodes).toBe(1)
    expect(dehydrate(store).nodes).toEqual({ 'user:2': { data: 'data of user:2', version: 1 } })
    scope.stop()
    await expect.poll(() => store!.debug()).toEqual(idle)
  })
})

describe('vue route A → B → A (ARCHITECTURE.md C6)', () => {
  it('returning to a cached route shows its data at once: 0 fetches when unchanged, 1 when changed', async () => {
    server = await startLoopbackServer()
    const routeStore = (store = createStore({ endpoint: server.endpoint, grace: 0 }))
    const routes = routeDatabase()
    const route = ref<'a' | 'b'>('a')
    const wrapper = mount(
      defineComponent({
        setup() {
          const { data, isLoading } = useReality(() => ROUTE_KEYS[route.value], { fetcher: routes.fetcher, store: routeStore })
          return () => h('p', isLoading.value ? 'spinner' : data.value)
        },
      }),
    )
    try {
      await routeAtoBtoA(server, routeStore, {
        async show(next) {
          route.value = next
          await nextTick()
          await nextTick()
        },
        text: () => wrapper.text(),
      }, routes)
    } finally {
      wrapper.unmount()
    }
  })
})
