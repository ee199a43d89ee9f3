import { batch } from '@preact/signals-core'
import { readable } from './atom.js'
import { RealityError } from './errors.js'
import { createHandle } from './handle.js'
import { createMutations } from './mutations.js'
import { createNode, type HeldEntry, type Node } from './node.js'
import { dehydrate, hydrate } from './ssr.js'
import { createScheduler } from './sync-scheduler.js'
import { trackTimers } from './timers.js'
import { httpTransport } from './transports/http.js'
import type { NodeOptions, Store, StoreOptions } from './types.js'

/**
 * Creates a client store: a normalized map of nodes (one per key), one sync
 * loop, optimistic mutations and SSR snapshots. Most apps want one per page:
 * see `getSharedStore()`.
 *
 * Options conflict (invariant 4): `store.node(key, options)` returns a
 * handle to the key's single node. The first caller's `fetcher`, `schema`
 * and `hash` define the node while it lives (while subscribed, and for
 * `grace` ms after); later callers share it and their `fetcher`, `schema`
 * and `hash` are not used. `fallback` is per handle.
 *
 * @example
 * const store = createStore({ endpoint: '/reality/sync' })
 * const room = store.node('chat:room:general', { fetcher: () => fetch('/api/messages').then((r) => r.json()) })
 * const stop = room.subscribe(({ data, isLoading }) => render(data, isLoading))
 */
export function createStore(options: StoreOptions = {}): Store {
  const { live = 'long-poll', wait = 25_000, interval = 5000, grace = 1500 } = options
  const nodes = new Map<string, Node>()
  const waiting = new Map<string, HeldEntry>()
  const timers = trackTimers(options.timers)
  const retry = (keys: string[]) => keys.forEach((key) => nodes.get(key)?.retry())
  let destroyed = false
  const scheduler = createScheduler({
    transport: options.transport ?? httpTransport(options),
    live,
    wait,
    interval,
    timers,
    known() {
      const known: Record<string, number | null> = Object.create(null)
      nodes.forEach((node, key) => {
        const version = node.known()
        if (version !== undefined) known[key] = version
      })
      return known
    },
    apply(response, known, id) {
      batch(() => {
        for (const key in known) {
          const node = nodes.get(key)
          if (node) node.checked = id
        }
        for (const key of Object.keys(response.changed)) nodes.get(key)?.report(response.changed[key]!)
        for (const key of response.denied ?? []) nodes.get(key)?.deny()
      })
      mutations.check()
    },
  })
  const mutations = createMutations({
    node: (key) => nodes.get(key),
    sync: (keys) => destroyed || (retry(keys), scheduler.schedule(true)),
    lastId: scheduler.id,
  })
  let rejoining: (() => void) | undefined
  const host = {
    timers,
    fetchThrough: options.fetchThrough,
    rejoin() {
      mutations.check()
      if (mutations.size) return scheduler.schedule()
      // The fetches one change started settle one by one: while a poll is
      // out, the keys rejoin it together once the last has settled (at most
      // 250 ms after the first), not with one replacement request per fetch.
      let busy = false
      nodes.forEach((node) => (busy ||= node.fetching))
      if (busy && scheduler.requests) return (rejoining ??= timers.after(250, () => ((rejoining = undefined), scheduler.rejoin())))
      rejoining = void rejoining?.()
      scheduler.rejoin()
    },
  }
  const collect = (node: Node) => {
    node.keep = timers.after(grace, () => {
      nodes.delete(node.key)
      node.stop()
      node.gone.value = true
      if (!nodes.size) scheduler.stop()
    })
  }
  const ensure = (key: string, nodeOptions: NodeOptions<any>) => {
    if (destroyed) throw new RealityError('destroyed', 'Store destroyed: create a new one')
    let node = nodes.get(key)
    if (!node) {
      nodes.set(key, (node = createNode(key, nodeOptions, host)))
      const entry = waiting.get(key)
      if (entry) node.hydrate(entry)
      waiting.delete(key)
      collect(node)
    }
    return node
  }

  const store: Store = {
    node(key, nodeOptions) {
      ensure(key, nodeOptions)
      return createHandle(key, nodeOptions.fallback, {
        ensure: () => ensure(key, nodeOptions),
        acquire(node) {
          if (destroyed) return
          node.keep?.()
          if (!node.refs++ && node.start()) {
            scheduler.start()
            scheduler.schedule()
          }
        },
        release(node) {
          if (!destroyed && !--node.refs) collect(node)
        },
      })
    },
    sync(keys) {
      retry(keys ?? [...nodes.keys()])
      return scheduler.sync()
    },
    mutate: mutations.mutate,
    status: readable(scheduler.status),
    dehydrate: () => dehydrate(nodes, waiting),
    hydrate: (snapshot) => batch(() => hydrate(snapshot, nodes, waiting)),
    destroy() {
      destroyed = true
      scheduler.stop()
      nodes.forEach((node) => node.stop())
      nodes.clear()
      waiting.clear()
      mutations.clear()
      timers.clear()
    },
    debug() {
      let fetches = 0
      nodes.forEach((node) => (fetches += +node.fetching))
      return { nodes: nodes.size, timers: timers.size, requests: scheduler.requests, fetches, hydrated: waiting.size, mutations: mutations.size }
    },
  }
  return store
}
