// @vitest-environment node
/** @jsxImportSource solid-js */
/**
 * Server tests: JSX compiled for `renderToString` renders hydrated data
 * without calling the fetcher and without starting a node (no sync request,
 * no node watched in the server process).
 */
import { renderToString } from 'solid-js/web'
import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { createRealityServer, type RealityServer } from '../../server/index.js'
import { createStore, embeddedTransport, type Fetcher, type Snapshot, type Transport } from '../../store/index.js'
import { Chat } from './fixtures/Chat.js'
import { until } from '../../test/loopback.js'
import { RealityProvider } from './index.js'
import { dehydrate, hydrate } from '../../ssr/index.js'

const ROOM = 'chat:room:general'
let server: RealityServer
beforeEach(() => void (server = createRealityServer()))
afterEach(() => server.close())

/** What a server process does before rendering: load the data, then dehydrate it. */
async function loadSnapshot(messages: string[]): Promise<Snapshot> {
  await server.invalidate(ROOM)
  const loader = createStore({ transport: embeddedTransport(server), live: 'events' })
  const node = loader.node<string[]>(ROOM, { fetcher: () => messages })
  const unsubscribe = node.subscribe(() => {})
  await until(() => node.get().status === 'success', 'the loader to fetch')
  unsubscribe()
  const snapshot = dehydrate(loader)
  loader.destroy()
  // It crosses the wire as JSON.
  return JSON.parse(JSON.stringify(snapshot)) as Snapshot
}

test('createReality renders hydrated data on the server without fetching or syncing', async () => {
  const snapshot = await loadSnapshot(['hello', '<b>safe</b>'])
  const inner = embeddedTransport(server)
  const transport: Transport = { sync: vi.fn((request, signal) => inner.sync(request, signal)) }
  const store = createStore({ transport })
  hydrate(store, snapshot)
  const fetcher = vi.fn<Fetcher<string[]>>(() => ['fetched on the server'])

  const html = renderToString(() => (
    <RealityProvider store={store}>
      <Chat fetcher={fetcher} />
    </RealityProvider>
  ))

  expect(html).toMatch(/<li[^>]*>hello<\/li>/)
  expect(html).toMatch(/<li[^>]*>&lt;b>safe&lt;\/b><\/li>/)
  expect(html).toContain('success')
  // Had the render subscribed, the node would have started and its first sync would go out now.
  await new Promise((resolve) => setTimeout(resolve, 0))
  expect(fetcher).not.toHaveBeenCalled()
  expect(transport.sync).not.toHaveBeenCalled()
  expect(store.debug()).toMatchObject({ requests: 0, fetches: 0 })
  store.destroy()
})
