// @vitest-environment node
/**
 * Server tests: the same `.svelte` components compiled for `svelte/server`
 * render hydrated data without calling the fetcher and without starting a
 * node (no sync request goes out of the server process).
 */
import { render } from 'svelte/server'
import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { createRealityServer, type RealityServer } from '../../server/index.js'
import { createStore, embeddedTransport, type Fetcher, type Snapshot, type Transport } from '../../store/index.js'
import Chat from './fixtures/Chat.svelte'
import ChatRunes from './fixtures/ChatRunes.svelte'
import { until } from '../../test/loopback.js'
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

/** A store that hydrates the snapshot, counting its sync requests and fetches. */
function hydratedStore(snapshot: Snapshot) {
  const inner = embeddedTransport(server)
  const transport: Transport = { sync: vi.fn((request, signal) => inner.sync(request, signal)) }
  const store = createStore({ transport })
  hydrate(store, snapshot)
  const fetcher = vi.fn<Fetcher<string[]>>(() => ['fetched on the server'])
  return { store, transport, fetcher }
}

test('$node renders hydrated data on the server without fetching or syncing', async () => {
  const { store, transport, fetcher } = hydratedStore(await loadSnapshot(['hello', '<b>safe</b>']))

  const { body } = render(Chat, { props: { fetcher, store } })

  expect(body).toContain('<li>hello</li>')
  expect(body).toContain('<li>&lt;b>safe&lt;/b></li>')
  expect(body).toContain('success')
  expect(body).toContain('idle')
  // Svelte subscribed and unsubscribed during render: had that reached the
  // node, it would have started it, and its first sync would go out now.
  await new Promise((resolve) => setTimeout(resolve, 0))
  expect(fetcher).not.toHaveBeenCalled()
  expect(transport.sync).not.toHaveBeenCalled()
  expect(store.debug()).toMatchObject({ requests: 0, fetches: 0 })
  store.destroy()
})

test('runes (fromStore + $derived) render hydrated data on the server', async () => {
  const { store, transport, fetcher } = hydratedStore(await loadSnapshot(['a', 'b']))

  const { body } = render(ChatRunes, { props: { fetcher, store } })

  expect(body).toContain('2 messages')
  await new Promise((resolve) => setTimeout(resolve, 0))
  expect(fetcher).not.toHaveBeenCalled()
  expect(transport.sync).not.toHaveBeenCalled()
  store.destroy()
})
