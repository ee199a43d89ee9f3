import { afterEach, expect, it } from 'vitest'
import { createStore } from './create-store.js'
import { manualTimers, manualTransport, settle } from './test-helpers.js'

const stores: { destroy(): void }[] = []
afterEach(() => stores.splice(0).forEach((store) => store.destroy()))

it('fetchThrough: every fetch goes through the hook with its key and target; what it resolves is labelled with the target, a rejection is a failed fetch', async () => {
  const t = manualTransport()
  const calls: [string, number][] = []
  let fail = false
  const store = createStore({
    transport: t.transport,
    timers: manualTimers().timers,
    live: 'events',
    fetchThrough: async (key, target, run) => {
      calls.push([key, target])
      if (fail) throw new Error('shared fetch failed')
      return { through: await run() }
    },
  })
  stores.push(store)
  const handle = store.node('k', { fetcher: () => 'own' })
  handle.subscribe(() => {})
  await settle()
  t.last().respond({ k: { version: 7 } })
  await settle()
  expect(calls).toEqual([['k', 7]])
  expect(handle.get()).toMatchObject({ data: { through: 'own' }, version: 7, status: 'success' })

  fail = true
  void store.sync().catch(() => {})
  await settle()
  t.last().respond({ k: { version: 9 } })
  await settle()
  expect(calls).toEqual([['k', 7], ['k', 9]])
  expect(handle.get()).toMatchObject({ data: { through: 'own' }, version: 7, status: 'error' })
  expect(handle.get().error).toMatchObject({ code: 'fetch_failed' })
})
