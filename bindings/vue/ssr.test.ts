// @vitest-environment node
import { createSSRApp, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { describe, expect, it, vi } from 'vitest'
import { createStore } from '../../store/index.js'
import KeyView from './fixtures/KeyView.vue'
import { RealityPlugin } from './index.js'
import { dehydrate, hydrate, type Snapshot } from '../../ssr/index.js'

/** What a server render produces after loading its data: a JSON snapshot. */
function serverSnapshot() {
  const store = createStore({ live: 'events' })
  hydrate(store, { v: 1, nodes: { 'todos:1': { data: ['write the binding', 'test it'], version: 7 } } })
  const snapshot = JSON.parse(JSON.stringify(dehydrate(store))) as Snapshot
  store.destroy()
  return snapshot
}

describe('vue SSR (renderToString)', () => {
  it('renders hydrated data from a <script setup> component without calling the fetcher', async () => {
    const store = createStore({ live: 'events' })
    hydrate(store, serverSnapshot())
    const fetcher = vi.fn(async () => ['never'])
    const app = createSSRApp({ render: () => h(KeyView, { nodeKey: 'todos:1', fetcher }) }).use(RealityPlugin, { store })
    const html = await renderToString(app)
    expect(html).toContain('<h1>write the binding,test it</h1>')
    expect(html).toContain('data-version="7"')
    expect(html).toContain('data-status="idle"')
    expect(fetcher).not.toHaveBeenCalled()
    store.destroy()
  })

  it('subscribes nothing on the server: no fetch, nothing left to clean up', async () => {
    const store = createStore({ live: 'events' })
    const fetcher = vi.fn(async () => 'never')
    const app = createSSRApp({ render: () => h(KeyView, { nodeKey: 'news:headline', fetcher }) }).use(RealityPlugin, { store })
    expect(await renderToString(app)).toContain('<h1>loading</h1>')
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(fetcher).not.toHaveBeenCalled()
    // The node entry exists (store.node() made it) but never started: no sync, no fetch.
    expect(store.debug()).toMatchObject({ requests: 0, fetches: 0 })
    expect(store.status.get()).toBe('idle')
    store.destroy()
  })
})
