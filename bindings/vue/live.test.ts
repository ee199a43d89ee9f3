import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { createStore, type Store } from '../../store/index.js'
import KeyView from './fixtures/KeyView.vue'
import { RealityPlugin } from './index.js'
import { startLoopbackServer, type LoopbackServer } from '../../test/loopback.js'

let server: LoopbackServer | undefined
let store: Store | undefined
afterEach(async () => {
  store?.destroy()
  await server?.close()
  server = store = undefined
})

/** The application's "database": a value the test changes, read by the fetcher. */
let headline = 'first'

describe('vue client over a real loopback server', () => {
  it('re-renders with fresh data after server.invalidate', async () => {
    server = await startLoopbackServer()
    store = createStore({ endpoint: server.endpoint })
    headline = 'first'
    const wrapper = mount(KeyView, {
      props: { nodeKey: 'news:headline', fetcher: async () => headline },
      global: { plugins: [[RealityPlugin, { store }]] },
    })
    expect(wrapper.get('h1').text()).toBe('loading')
    await expect.poll(() => wrapper.get('h1').text(), { timeout: 10_000 }).toBe('first')
    await expect.poll(() => wrapper.get('[data-testid=meta]').attributes('data-status'), { timeout: 10_000 }).toBe('live')

    headline = 'second'
    await server.reality.invalidate(['news:headline'])
    await expect.poll(() => wrapper.get('h1').text(), { timeout: 10_000 }).toBe('second')
    wrapper.unmount()
    await flushPromises()
  })
})
