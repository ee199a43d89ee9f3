import { act, cleanup, render, screen } from '@testing-library/react'
import { StrictMode } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createStore, type Store, type Transport } from '../../store/index.js'
import { RealityProvider, useReality, useRealityStatus } from './index.js'
import { startLoopbackServer, type LoopbackServer } from '../../test/loopback.js'
import { ROUTE_KEYS, routeAtoBtoA, routeDatabase } from '../../test/route-revisit.js'
import { dehydrate } from '../../ssr/index.js'

let server: LoopbackServer | undefined
let store: Store | undefined
afterEach(async () => {
  cleanup()
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

function Count(props: { fetcher: () => Promise<number> }) {
  const { data, isLoading } = useReality('counter', { fetcher: props.fetcher })
  const status = useRealityStatus()
  return <p data-status={status}>{isLoading ? 'loading' : `count ${data}`}</p>
}

describe('react lifecycle', () => {
  it('StrictMode double mounting: one fetch; after unmount no node, timer, window listener, request or held long-poll is left', async () => {
    server = await startLoopbackServer()
    // A short grace delay keeps the test quick; the default is 1.5 s.
    store = createStore({ endpoint: server.endpoint, grace: 20, cacheTime: 0 })
    const errors = vi.spyOn(console, 'error')
    const listeners = countManagerListeners()
    const fetcher = vi.fn(async () => 42)
    const view = render(
      <StrictMode>
        <RealityProvider store={store}>
          <Count fetcher={fetcher} />
          <Count fetcher={fetcher} />
        </RealityProvider>
      </StrictMode>,
    )
    await screen.findAllByText('count 42')
    // Held on the server: the store's one long-poll.
    await expect.poll(() => server!.reality.stats().held, { timeout: 10_000 }).toBe(1)
    expect(screen.getAllByText('count 42')[0]!.dataset.status).toBe('live')
    expect(fetcher).toHaveBeenCalledTimes(1)
    expect(store.debug()).toMatchObject({ nodes: 1, requests: 1, fetches: 0 })
    expect(listeners()).toBeGreaterThan(0)

    view.unmount()
    await expect.poll(() => store!.debug(), { timeout: 10_000 }).toEqual(idle)
    expect(listeners()).toBe(0)
    await expect.poll(() => server!.reality.stats(), { timeout: 10_000 }).toMatchObject({ held: 0, waiters: 0, abortListeners: 0 })
    expect(fetcher).toHaveBeenCalledTimes(1)
    // Unstable snapshots would make React log "getSnapshot should be cached".
    expect(errors).not.toHaveBeenCalled()
  })

  it('a remount within the grace delay reuses the node without refetching', async () => {
    server = await startLoopbackServer()
    store = createStore({ endpoint: server.endpoint, grace: 60_000 })
    const fetcher = vi.fn(async () => 7)
    const tree = () => (
      <RealityProvider store={store!}>
        <Count fetcher={fetcher} />
      </RealityProvider>
    )
    const first = render(tree())
    await screen.findByText('count 7')
    first.unmount()
    render(tree())
    // Rendered from the node's state at once: no loading flash, no new fetch.
    expect(screen.getByText('count 7')).toBeTruthy()
    expect(fetcher).toHaveBeenCalledTimes(1)
  })
})

describe('react key change', () => {
  it('switching the key subscribes the new node and releases the old one', async () => {
    const versionOne: Transport = {
      async sync({ known }) {
        const changed: Record<string, { version: number }> = {}
        for (const key in known) if (known[key] !== 1) changed[key] = { version: 1 }
        return { v: 1, changed }
      },
    }
    store = createStore({ transport: versionOne, live: 'events', grace: 0, cacheTime: 0 })
    function User(props: { id: number }) {
      const { data } = useReality(`user:${props.id}`, { fetcher: async (key) => `data of ${key}` })
      return <p>{data ?? 'loading'}</p>
    }
    const view = render(
      <RealityProvider store={store}>
        <User id={1} />
      </RealityProvider>,
    )
    await screen.findByText('data of user:1')
    view.rerender(
      <RealityProvider store={store}>
        <User id={2} />
      </RealityProvider>,
    )
    await screen.findByText('data of user:2')
    await expect.poll(() => store!.debug().nodes).toBe(1)
    expect(Object.keys(dehydrate(store).nodes)).toEqual(['user:2'])
    view.unmount()
    await expect.poll(() => store!.debug()).toEqual(idle)
  })
})

describe('react route A → B → A (ARCHITECTURE.md C6)', () => {
  it('returning to a cached route shows its data at once: 0 fetches when unchanged, 1 when changed', async () => {
    server = await startLoopbackServer()
    const routeStore = (store = createStore({ endpoint: server.endpoint, grace: 0 }))
    const routes = routeDatabase()
    function Route({ id }: { id: 'a' | 'b' }) {
      const { data, isLoading } = useReality(ROUTE_KEYS[id], { fetcher: routes.fetcher })
      return <p data-testid="route">{isLoading ? 'spinner' : data}</p>
    }
    const view = render(
      <RealityProvider store={routeStore}>
        <Route id="a" />
      </RealityProvider>,
    )
    await routeAtoBtoA(server, routeStore, {
      show: (id) =>
        act(() =>
          view.rerender(
            <RealityProvider store={routeStore}>
              <Route id={id} />
            </RealityProvider>,
          ),
        ),
      text: () => screen.getByTestId('route').textContent ?? '',
    }, routes)
  })
})
