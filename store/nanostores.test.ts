import { atom, batched, computed, type ReadableAtom as NanoAtom } from 'nanostores'
import { afterEach, describe, expect, it } from 'vitest'
import { startLoopbackServer, until } from '../test/loopback.js'
import { createStore } from './create-store.js'
import type { Store } from './types.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function liveStore(): Promise<{ store: Store; invalidate(key: string): Promise<unknown> }> {
  const server = await startLoopbackServer()
  const store = createStore({ endpoint: server.endpoint })
  cleanups.push(() => server.close(), () => store.destroy())
  return { store, invalidate: (key) => server.reality.invalidate([key]) }
}

/**
 * nanostores types its inputs with its own internals (`lc`, `notify`…); a
 * handle has the runtime shape computed() reads (get, listen, eq), so the
 * types need this cast.
 */
const nano = <T>(input: { get(): T }) => input as unknown as NanoAtom<T>

describe('nanostores interop (real nanostores 1.x)', () => {
  it("handles and store.status are inputs to nanostores' computed: it recomputes on every change and never throws", async () => {
    const { store, invalidate } = await liveStore()
    let title = 'first'
    const handle = store.node('title', { fetcher: async () => title })
    const suffix = atom('!')
    const shown = computed([nano(handle), suffix], (state, end) => `${state.data ?? '…'}${end}`)
    const badge = computed(nano(store.status), (status) => status.toUpperCase())
    const seen: string[] = []
    const stop = shown.subscribe((value) => seen.push(value))
    const stopBadge = badge.listen(() => {})
    await until(() => shown.get() === 'first!' && badge.get() === 'LIVE', 'computed to follow the node and the status')
    title = 'second'
    await invalidate('title')
    await until(() => shown.get() === 'second!', 'computed to recompute after a change')
    suffix.set('?')
    expect(shown.get()).toBe('second?')
    expect(seen).toEqual(['…!', 'first!', 'second!', 'second?'])
    stop()
    stopBadge()
  })

  it("works in nanostores' batched, and a computed read with get() without listeners is fresh", async () => {
    const { store, invalidate } = await liveStore()
    let count = 1
    const handle = store.node('count', { fetcher: async () => count })
    const stop = handle.subscribe(() => {})
    const doubled = batched(nano(handle), (state) => (state.data ?? 0) * 2)
    const unbound = computed(nano(handle), (state) => state.version)
    const values: number[] = []
    const stopDoubled = doubled.subscribe((value) => values.push(value))
    await until(() => doubled.get() === 2, 'batched to follow the node')
    count = 5
    await invalidate('count')
    await until(() => doubled.get() === 10, 'batched to recompute')
    expect(unbound.get()).toBe(handle.get().version) // no listener: recomputed because the epoch moved
    stopDoubled()
    stop()
  })
})
