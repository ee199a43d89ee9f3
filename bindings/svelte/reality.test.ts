/**
 * Client tests: real `.svelte` components, compiled for the DOM by the Vite
 * plugin and mounted in happy-dom, against a real loopback server.
 */
import { flushSync, mount, unmount } from 'svelte'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { createStore, embeddedTransport, getSharedStore, type Fetcher } from '../../store/index.js'
import { createRealityServer } from '../../server/index.js'
import Chat from './fixtures/Chat.svelte'
import ChatRunes from './fixtures/ChatRunes.svelte'
import ProvideStore from './fixtures/ProvideStore.svelte'
import RoomSwitch from './fixtures/RoomSwitch.svelte'
import { startLoopback, startLoopbackServer, until, type Loopback } from '../../test/loopback.js'
import { ROUTE_KEYS, routeAtoBtoA, routeDatabase } from '../../test/route-revisit.js'
import { getRealityStore, reality, realityStatus } from './index.js'
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

describe('reality() in a mounted component', () => {
  test('server.invalidate on a real loopback server updates the rendered list', async () => {
    const { reality: server, store } = await loopback()
    const db = roomDatabase('hello')
    const element = target()
    const component = mount(Chat, { target: element, props: { fetcher: db.fetcher, store } })
    cleanups.push(() => unmount(component))

    await until(() => items(element).join() === 'hello', 'the first fetch')
    await until(() => byTestId(element, 'connection') === 'live', 'a held long-poll')
    expect(byTestId(element, 'node-status')).toBe('success')

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
    const component = mount(Chat, { target: element, props: { fetcher: db.fetcher, store } })
    cleanups.push(() => unmount(component))

    flushSync()
    expect(items(element)).toEqual(['from the server render'])
    // The server holds the first sync: it found nothing newer than the snapshot.
    await until(() => server.stats().waiters === 1, 'the first sync to be held')
    expect(db.fetcher).not.toHaveBeenCalled()
    expect(items(element)).toEqual(['from the server render'])
  })

  test('a store given with setRealityStore reaches children through context', async () => {
    const { reality: server, store } = await loopback()
    const db = roomDatabase('from context')
    const element = target()
    const component = mount(ProvideStore, { target: element, props: { store, fetcher: db.fetcher } })
    cleanups.push(() => unmount(component))

    await until(() => items(element).join() === 'from context', 'the first fetch')
    // The child's status store is the provided store's, not the shared one.
    await until(() => byTestId(element, 'connection') === 'live', 'the provided store going live')
    expect(getSharedStore().debug().nodes).toBe(0)
    db.messages.push('again')
    await server.invalidate(ROOM)
    await until(() => items(element).length === 2, 'the refetch after invalidate')
  })

  test('runes: fromStore + $derived follow the node', async () => {
    const server = createRealityServer()
    const store = createStore({ transport: embeddedTransport(server) })
    cleanups.push(() => server.close(), () => store.destroy())
    const db = roomDatabase('a')
    const element = target()
    const component = mount(ChatRunes, { target: element, props: { store, fetcher: db.fetcher } })
    cleanups.push(() => unmount(component))
    flushSync()
    expect(byTestId(element, 'count')).toBe('loading')

    await until(() => byTestId(element, 'count') === '1 messages', 'the first fetch')
    db.messages.push('b', 'c')
    await server.invalidate(ROOM)
    await until(() => byTestId(element, 'count') === '3 messages', 'the refetch after invalidate')
  })

  test('a key in $derived moves the subscription to the new node and releases the old one', async () => {
    const server = createRealityServer()
    const store = createStore({ transport: embeddedTransport(server), live: 'events', grace: 0, cacheTime: 0 })
    cleanups.push(() => server.close(), () => store.destroy())
    const fetcher = vi.fn<Fetcher<string[]>>((key) => [key])
    const element = target()
    const component = mount(RoomSwitch, { target: element, props: { fetcher, store } })
    cleanups.push(() => unmount(component))

    await until(() => byTestId(element, 'first') === 'chat:room:a', 'room a')
    element.querySelector('button')!.click()
    await until(() => byTestId(element, 'first') === 'chat:room:b', 'room b')
    await until(() => store.debug().nodes === 1, 'room a to be released')
    expect(fetcher.mock.calls.map(([key]) => key)).toEqual(['chat:room:a', 'chat:room:b'])
  })

  test('unmount leaves no subscription, timer, window listener or held request', async () => {
    const listeners = countWindowListeners()
    const { reality: server, store } = await loopback({ grace: 0, cacheTime: 0 })
    const db = roomDatabase('x')
    const element = target()
    const component = mount(Chat, { target: element, props: { fetcher: db.fetcher, store } })

    await until(() => byTestId(element, 'connection') === 'live' && server.stats().waiters === 1, 'a held long-poll')
    expect(store.debug()).toMatchObject({ nodes: 1, requests: 1 })
    expect(listeners.live()).toBeGreaterThan(0)

    unmount(component)
    const idle = { nodes: 0, timers: 0, requests: 0, fetches: 0, mutations: 0 }
    await until(() => JSON.stringify(pick(store.debug(), idle)) === JSON.stringify(idle), 'the store to release everything')
    await until(() => server.stats().waiters === 0, 'the held request to end on the server')
    expect(listeners.live()).toBe(0)
    expect(element.innerHTML).toBe('')
  })
})

describe('outside a component', () => {
  test('getRealityStore() falls back to the shared store; on the client the atoms are the store\'s own', () => {
    expect(getRealityStore()).toBe(getSharedStore())
    expect(realityStatus()).toBe(getSharedStore().status)
    const handle = reality('outside:key', { fetcher: () => 1 })
    expect(handle.key).toBe('outside:key')
    expect(handle.get()).toMatchObject({ data: undefined, isLoading: true })
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

function pick<T extends object>(value: T, shape: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.keys(shape).map((key) => [key, value[key as keyof T]])) as Partial<T>
}

describe('svelte route A → B → A (ARCHITECTURE.md C6)', () => {
  test('returning to a cached route shows its data at once: 0 fetches when unchanged, 1 when changed', async () => {
    const server = await startLoopbackServer()
    cleanups.push(() => server.close())
    const store = createStore({ endpoint: server.endpoint, grace: 0 })
    cleanups.push(() => store.destroy())
    const routes = routeDatabase()
    // What a page's `$room` does: one subscription to the route's store at a time.
    let shown = 'spinner'
    let leave: (() => void) | undefined
    cleanups.push(() => leave?.())
    const show = (next: 'a' | 'b') => {
      const room = reality(ROUTE_KEYS[next], { fetcher: routes.fetcher, store })
      const stop = room.subscribe((state) => (shown = state.isLoading ? 'spinner' : String(state.data)))
      leave?.()
      leave = stop
    }
    await routeAtoBtoA(server, store, { show, text: () => shown }, routes)
  })
})
