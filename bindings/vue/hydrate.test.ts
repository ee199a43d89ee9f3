import { createSSRApp, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { afterEach, expect, it, vi } from 'vitest'
import { createStore, type Store, type Transport } from '../../store/index.js'
import KeyView from './fixtures/KeyView.vue'
import { RealityPlugin } from './index.js'
import { dehydrate, hydrate } from '../../ssr/index.js'

let store: Store | undefined
afterEach(() => {
  vi.restoreAllMocks()
  store?.destroy()
  store = undefined
})

/** The server still holds version 7 of the key: nothing to refetch. */
const atVersion7: Transport = {
  async sync({ known }) {
    const changed: Record<string, { version: number }> = {}
    for (const key in known) if (known[key] !== 7) changed[key] = { version: 7 }
    return { v: 1, changed }
  },
}

it('hydrating the server markup with the snapshot: no mismatch, no fetch', async () => {
  const server = createStore({ live: 'events', transport: atVersion7 })
  hydrate(server, { v: 1, nodes: { greeting: { data: 'hello from the server', version: 7 } } })
  const snapshot = JSON.parse(JSON.stringify(dehydrate(server)))
  const never = async () => 'never'
  const html = await renderToString(createSSRApp({ render: () => h(KeyView, { nodeKey: 'greeting', fetcher: never }) }).use(RealityPlugin, { store: server }))
  server.destroy()
  expect(html).toContain('<h1>hello from the server</h1>')

  store = createStore({ live: 'events', transport: atVersion7 })
  hydrate(store, snapshot)
  const warnings = vi.spyOn(console, 'warn')
  const errors = vi.spyOn(console, 'error')
  const fetcher = vi.fn(async () => 'refetched')
  const container = document.createElement('div')
  container.innerHTML = html
  const app = createSSRApp({ render: () => h(KeyView, { nodeKey: 'greeting', fetcher }) }).use(RealityPlugin, { store })
  app.mount(container)
  await store.sync()
  expect(container.querySelector('h1')!.textContent).toBe('hello from the server')
  expect(fetcher).not.toHaveBeenCalled()
  // Vue reports hydration mismatches through console warnings/errors.
  expect(warnings).not.toHaveBeenCalled()
  expect(errors).not.toHaveBeenCalled()
  expect(store.debug().nodes).toBe(1)
  app.unmount()
})
