/** @jsxImportSource solid-js */
/**
 * Client tests: JSX compiled for the DOM by vite-plugin-solid, rendered in
 * happy-dom, against a real loopback server (or the embedded transport when
 * HTTP is not the point).
 */
import { createEffect, createRoot, createSignal } from 'solid-js'
import { render } from 'solid-js/web'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { createRealityServer } from '../../server/index.js'
import { createStore, embeddedTransport, getSharedStore, type Fetcher } from '../../store/index.js'
import { Chat } from './fixtures/Chat.js'
import { startLoopback, startLoopbackServer, until, type Loopback } from '../../test/loopback.js'
import { ROUTE_KEYS, routeAtoBtoA, routeDatabase } from '../../test/route-revisit.js'
import { RealityProvider, createReality, useRealityStore } from './index.js'
import { hydrate } from '../../ssr/index.js'

const ROOM = 'chat:room:general'
const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  document.body.innerHTML = ''
})

async function loopback(options: Parameters<typeof startLoopback>[0] = {}): Promise<Loopback> {
  const server = await startLoopback(options)
  cleanups.push(() => server.close())
  return server
}

/** A store on the embedded transport: the binding's behaviour, without HTTP. */
async function embedded() {
  const server = createRealityServer()
  cleanups.push(() => server.close())
  const store = createStore({ transport: embeddedTransport(server), live: 'events', grace: 0, cacheTime: 0 })
  cleanups.push(() => store.destroy())
  return { server, store }
}

/** A fetcher reading the test's "database", counting its calls. */
function roomDatabase(...initial: string[]) {
  const messages = [...initial]
  const fetcher = vi.fn<Fetcher<string[]>>(() => [...messages])
  return { messages, fetcher }
}

function target(): HTMLElement {
  return document.body.appendChild(document.createElement('div'))
}

const items = (element: HTMLElement) => [...element.querySelectorAll('li')].map((li) => li.textContent)
const byTestId = (element: HTMLElement, id: string) => element.querySelector(`[data-testid="${id}"]`)?.textContent

describe('createReality in a rendered component', () => {
  test('server.invalidate on a real loopback server updates the DOM (store from RealityProvider)', async () => {
    const { reality: server, store } = await loopback()
    const db = roomDatabase('hello')
    const element = target()
    cleanups.push(render(() => <RealityProvider store={store}><Chat fetcher={db.fetcher} /></RealityProvider>, element))

    await until(() => items(element).join() === 'hello', 'the first fetch')
    await until(() => byTestId(element, 'connection') === 'live', 'a held long-poll')
    expect(byTestId(element, 'node-status')).toBe('success')
    expect(getSharedStore().debug().nodes).toBe(0)

    db.messages.push('world')
    await server.invalidate(ROOM)
    await until(() => items(element).join() === 'hello,world', 'the refetch after invalidate')
    expect(db.fetcher).toHaveBeenCalledTimes(2)
  })

  test('a store hydrated from the server snapshot renders at once and does not refetch', async () => {
    const { reality: server, store } = await loopback()
    const { [ROOM]: version } = await server.invalidate(ROOM)
    hydrate(store, { v: 1, nodes: { [ROOM]: { data: ['from the server render'], version: version! } } })
    const db = roomDatabase('from the database')
    const element = target()
    cleanups.push(render(() => <RealityProvider store={store}><Chat fetcher={db.fetcher} /></RealityProvider>, element))

    expect(items(element)).toEqual(['from the server render'])
    // The server holds the first sync: it found nothing newer than the snapshot.
    await until(() => server.stats().waiters === 1, 'the first sync to be held')
    expect(db.fetcher).not.toHaveBeenCalled()
    expect(items(element)).toEqual(['from the server render'])
  })

  test('disposing leaves no subscription, timer, window listener or held request', async () => {
    const listeners = countWindowListeners()
    const { reality: server, store } = await loopback({ grace: 0, cacheTime: 0 })
    const db = roomDatabase('x')
    const element = target()
    const dispose = render(() => <RealityProvider store={store}><Chat fetcher={db.fetcher} /></RealityProvider>, element)

    await until(() => byTestId(element, 'connection') === 'live' && server.stats().waiters === 1, 'a held long-poll')
    expect(store.debug()).toMatchObject({ nodes: 1, requests: 1 })
    expect(listeners.live()).toBeGreaterThan(0)

    dispose()
    const idle = { nodes: 0, timers: 0, requests: 0, fetches: 0, mutations: 0 }
    await until(() => Object.entries(idle).every(([name, count]) => store.debug()[name as keyof typeof idle] === count), 'the store to release everything')
    await until(() => server.stats().waiters === 0, 'the held request to end on the server')
    expect(listeners.live()).toBe(0)
    expect(element.innerHTML).toBe('')
  })
})

describe('fine-grained tracking', () => {
  test('a computation reading only data does not re-run on a status-only change', async () => {
    const { store } = await embedded()
    let failing = false
    const fetcher = vi.fn(() => (failing ? Promise.reject(new Error('database down')) : ['a']))
    const runs = { data: 0, status: 0, error: 0 }
    const chat = createRoot((dispose) => {
      cleanups.push(dispose)
      const chat = createReality(ROOM, { fetcher, store })
      createEffect(() => (chat().data, runs.data++))
      createEffect(() => (chat().status, runs.status++))
      createEffect(() => (chat().error, runs.error++))
      return chat
    })
    await until(() => chat().status === 'success', 'the first fetch')
    const before = { ...runs }
    expect(before.data).toBe(2) // undefined, then ['a']

    failing = true
    await store.node(ROOM, { fetcher }).refetch()
    expect(chat().status).toBe('error')
    expect(chat().error?.message).toContain('database down')
    expect(chat().data).toEqual(['a'])
    expect(runs.data).toBe(before.data)
    expect(runs.status).toBeGreaterThan(before.status)
    expect(runs.error).toBeGreaterThan(before.error)
  })

  test('an accessor key moves the subscription to the new node and releases the old one', async () => {
    const { store } = await embedded()
    const fetcher = vi.fn((key: string) => [key])
    const [room, setRoom] = createSignal('chat:room:a')
    const chat = createRoot((dispose) => {
      cleanups.push(dispose)
      return createReality(() => room(), { fetcher, store })
    })
    await until(() => chat().data?.[0] === 'chat:room:a', 'room a')

    setRoom('chat:room:b')
    await until(() => chat().data?.[0] === 'chat:room:b', 'room b')
    await until(() => store.debug().nodes === 1, 'room a to be released')
    expect(fetcher.mock.calls.map(([key]) => key)).toEqual(['chat:room:a', 'chat:room:b'])
  })

  test('a key accessor that recomputes to the same key keeps its subscription', async () => {
    const { store } = await embedded()
    const node = vi.spyOn(store, 'node')
    const [tick, setTick] = createSignal(0)
    createRoot((dispose) => {
      cleanups.push(dispose)
      createReality(() => (tick(), ROOM), { fetcher: () => ['a'], store })
    })
    setTick(1)
    setTick(2)
    expect(node).toHaveBeenCalledTimes(1)
  })

  test('without a provider, useRealityStore() is the shared store', () => {
    expect(createRoot(() => useRealityStore())).toBe(getSharedStore())
  })
})

/** Window listeners added and not yet removed (the store's focus/online managers attach there). */
function countWindowListeners() {
  const add = vi.spyOn(window, 'addEventListener')
  const remove = vi.spyOn(window, 'removeEventListener')
  cleanups.push(() => (add.mockRestore(), remove.mockRestore()))
  return {
    live() {
      const live = add.mock.calls.map(([type, listener]) => ({ type, listener }))
      for (const [type, listener] of remove.mock.calls) {
        const index = live.findIndex((entry) => entry.type === type && entry.listener === listener)
        if (index >= 0) live.splice(index, 1)
      }
      return live.length
    },
  }
}

describe('solid route A → B → A (ARCHITECTURE.md C6)', () => {
  test('returning to a cached route shows its data at once: 0 fetches when unchanged, 1 when changed', async () => {
    const server = await startLoopbackServer()
    cleanups.push(() => server.close())
    const store = createStore({ endpoint: server.endpoint, grace: 0 })
    cleanups.push(() => store.destroy())
    const routes = routeDatabase()
    const [route, setRoute] = createSignal<'a' | 'b'>('a')
    const target = document.createElement('div')
    const dispose = render(() => {
      const node = createReality(() => ROUTE_KEYS[route()], { fetcher: routes.fetcher, store })
      return <p>{node().isLoading ? 'spinner' : node().data}</p>
    }, target)
    cleanups.push(dispose)
    await routeAtoBtoA(server, store, { show: (next) => setRoute(next), text: () => target.textContent ?? '' }, routes)
  })
})
