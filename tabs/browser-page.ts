/**
 * The page tabs/browser.test.ts opens in Chromium (bundled by esbuild at
 * test time): a store shared across tabs watching the keys in `?keys=`,
 * syncing with `?endpoint=` (default `/reality/sync`), fetching
 * `GET /data/<key>?tab=<?tab=>`. It exposes what it shows on `window.page`.
 */
import { createStore } from 'reality'
import { shareTabs } from 'reality/tabs'

const params = new URLSearchParams(location.search)
const tabs = shareTabs({ endpoint: params.get('endpoint') ?? '/reality/sync' })
const store = createStore(tabs)
const shown: Record<string, unknown> = {}
for (const key of (params.get('keys') ?? '').split(',')) {
  // `?tab=` only labels the fetch in the server's log (the test names the tab that fetched).
  const node = store.node(key, { fetcher: async (_key, { signal }) => (await fetch(`/data/${key}?tab=${params.get('tab')}`, { signal })).json() })
  node.subscribe(({ data }) => {
    shown[key] = data
  })
}

declare global {
  interface Window {
    page: { shown: Record<string, unknown>; status(): string; debug(): ReturnType<typeof tabs.debug> }
  }
}
window.page = { shown, status: () => store.status.get(), debug: () => tabs.debug() }
