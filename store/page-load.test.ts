/**
 * Page load across micro-frontends (ARCHITECTURE.md C1), over the real http
 * transport: bundles whose scripts run in separate macrotasks share the
 * store's first request, a quick request is never aborted for a new key, and
 * the poll is re-armed once its answer is applied, so the page costs one sync
 * request before its first data fetch and at most two until a poll is held.
 */
import { afterEach, expect, it } from 'vitest'
import { memoryVersions } from '../server/index.js'
import { startLoopbackServer, until } from '../test/loopback.js'
import { createStore } from './create-store.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

it('three bundles started in separate macrotasks: 1 sync request before the first data fetch, ≤ 2 until one poll is held for all keys', async () => {
  const server = await startLoopbackServer({ versions: memoryVersions() })
  cleanups.push(() => server.close())
  await server.reality.invalidate(['k1', 'k2', 'k3'])
  const sent: { keys: string[]; held: boolean; signal: AbortSignal; at: number }[] = []
  const fetched: number[] = []
  const store = createStore({
    endpoint: server.endpoint,
    fetch: (url, init) => {
      const body = JSON.parse(String(init!.body))
      sent.push({ keys: Object.keys(body.known).sort(), held: !!body.wait, signal: init!.signal!, at: performance.now() })
      return fetch(url, init)
    },
  })
  cleanups.push(() => store.destroy())
  const fetcher = async (key: string) => {
    fetched.push(performance.now())
    return key
  }
  const bundle = (keys: string[]) => keys.map((key) => store.node(key, { fetcher })).forEach((handle) => handle.subscribe(() => {}))
  bundle(['k1', 'k2'])
  setTimeout(() => bundle(['k2', 'k3']), 0)
  setTimeout(() => bundle(['k1', 'k3']), 0)
  await until(() => sent.some((request) => request.held && request.keys.length === 3), 'a poll held for all keys')
  const beforeFirstFetch = sent.filter((request) => request.at < fetched[0]!)
  expect(beforeFirstFetch.map((request) => request.keys)).toEqual([['k1', 'k2', 'k3']])
  expect(sent.length).toBeLessThanOrEqual(2)
  expect(sent.filter((request) => !request.held).every((request) => !request.signal.aborted)).toBe(true)
})

it('a key added while a quick request is out rides the next request instead of aborting it', async () => {
  const server = await startLoopbackServer({ versions: memoryVersions() })
  cleanups.push(() => server.close())
  const sent: { keys: string[]; held: boolean; signal: AbortSignal }[] = []
  let release: (() => void) | undefined
  const store = createStore({
    endpoint: server.endpoint,
    fetch: async (url, init) => {
      const body = JSON.parse(String(init!.body))
      sent.push({ keys: Object.keys(body.known).sort(), held: !!body.wait, signal: init!.signal! })
      // Hold the first (quick) request back until the test has added a key.
      if (sent.length === 1) await new Promise<void>((resolve) => (release = resolve))
      return fetch(url, init)
    },
  })
  cleanups.push(() => store.destroy())
  store.node('first', { fetcher: async () => 1 }).subscribe(() => {})
  await until(() => release, 'the first request')
  store.node('second', { fetcher: async () => 2 }).subscribe(() => {})
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(sent).toHaveLength(1)
  release!()
  await until(() => sent.some((request) => request.keys.includes('second')), 'the next request')
  expect(sent[0]!.signal.aborted).toBe(false)
  expect(sent[0]!.keys).toEqual(['first'])
})
