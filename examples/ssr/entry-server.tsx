/**
 * The server half of the SSR example (built by Vite as an SSR bundle): loads
 * the page's data with a store over `embeddedTransport` (no HTTP: the store
 * syncs with the same Reality server the page will poll), renders the app
 * with it, and returns the HTML and the store's snapshot for the browser.
 */
import { renderToString } from 'react-dom/server'
import { createStore, embeddedTransport, type EmbeddedServer, type NodeHandle, type Snapshot } from 'reality'
import { RealityProvider } from 'reality/react'
import { dehydrate, hydrate } from 'reality/ssr'
import { App } from './App.js'
import { HEADLINE_KEY, type Headline } from './headline.js'

/**
 * Renders the page for one request.
 *
 * @example
 * const { html, snapshot } = await render({ reality, loadHeadline: () => headline })
 */
export async function render(server: { reality: EmbeddedServer; loadHeadline: () => Headline }): Promise<{ html: string; snapshot: Snapshot }> {
  const snapshot = await loadSnapshot(server)
  // Rendered from a store hydrated with the snapshot, as the browser's first
  // render is (status `idle`, the same data): the markup matches and React
  // hydrates without a mismatch.
  const store = createStore({ transport: embeddedTransport(server.reality), live: 'events' })
  try {
    hydrate(store, snapshot)
    const html = renderToString(
      <RealityProvider store={store}>
        <App />
      </RealityProvider>,
    )
    return { html, snapshot }
  } finally {
    store.destroy()
  }
}

/** Loads the page's data with a store over `embeddedTransport` and returns its snapshot. */
async function loadSnapshot(server: { reality: EmbeddedServer; loadHeadline: () => Headline }): Promise<Snapshot> {
  // One store per request: nothing leaks between users. 'events': no long-poll on the server.
  const store = createStore({ transport: embeddedTransport(server.reality), live: 'events' })
  // The node's first caller defines its fetcher (ARCHITECTURE.md C4): here it reads the data directly.
  const headline = store.node(HEADLINE_KEY, { fetcher: async () => server.loadHeadline() })
  // Watching the node makes the store sync (in process) and fetch it.
  const stopWatching = headline.subscribe(() => {})
  try {
    await settled(headline)
    return dehydrate(store)
  } finally {
    stopWatching()
    store.destroy()
  }
}

/** Resolves once the node holds data, rejects with its error. */
function settled(handle: NodeHandle<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const state = handle.get()
      if (state.status !== 'success' && state.status !== 'error') return
      stopListening()
      if (state.status === 'success') resolve()
      else reject(state.error)
    }
    const stopListening = handle.listen(check)
    check()
  })
}
