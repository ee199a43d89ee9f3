/**
 * reality/tanstack through @tanstack/vue-query (which brings its own copy of
 * query-core): the bridge needs only the QueryClient every adapter shares.
 * Mounted with @vue/test-utils in happy-dom, over a real loopback server.
 */
import { QueryClient, VueQueryPlugin, useQuery } from '@tanstack/vue-query'
import { mount } from '@vue/test-utils'
import { afterEach, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { until } from '../../test/loopback.js'
import { fakeDatabase, startRecordedLoopback, type RecordedLoopback } from '../sync-log.test-helper.js'
import { connectQueryClient } from './index.js'

let loopback: RecordedLoopback | undefined
afterEach(async () => {
  await loopback?.close()
  loopback = undefined
})

it('a vue-query component, connected with one call, shows a server invalidate and stops watching when unmounted', async () => {
  loopback = await startRecordedLoopback({ grace: 0 })
  const db = fakeDatabase({ 'news:headline': 'first' })
  const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } })
  const disconnect = connectQueryClient(queryClient, { store: loopback.store })
  const Headline = defineComponent({
    setup() {
      const { data } = useQuery({ queryKey: ['news', 'headline'], queryFn: () => db.read('news:headline') })
      return () => h('h1', data.value ?? 'loading')
    },
  })
  const wrapper = mount(Headline, { global: { plugins: [[VueQueryPlugin, { queryClient }]] } })
  try {
    await until(() => wrapper.text() === 'first', 'the headline to load')
    await until(() => loopback!.server.reality.stats().held === 1 && loopback!.store.debug().fetches === 0, 'a held long-poll')
    db.set('news:headline', 'second')
    await loopback.server.reality.invalidate(['news:headline'])
    await until(() => wrapper.text() === 'second', 'the change to show')
    wrapper.unmount()
    await until(() => loopback!.watched().length === 0, 'the key to be no longer watched once the query is inactive')
    expect(queryClient.getQueryCache().hasListeners()).toBe(true)
  } finally {
    disconnect()
    queryClient.clear()
  }
})
