import { batch } from './cell.js'
import { RealityError } from './errors.js'
import { createHandle } from './handle.js'
import { createMutations } from './mutations.js'
import { Node, type NodeHost } from './node/node.js'
import { createScheduler } from './sync/scheduler.js'
import { trackTimers } from './timers.js'
import { httpTransport } from './transports/http.js'
import type { HeldEntry, NodeOptions, Store, StoreOptions, SyncRecord } from './types.js'

/**
 * Creates a client store: a normalized map of nodes (one per key), one sync
 * loop and optimistic mutations. Most apps want one per page:
 * see `getSharedStore()`. This file only wires the parts together.
 *
 * One node per key (ARCHITECTURE.md C4): `store.node(key, options)` returns
 * a handle to the key's single node. The first caller's `fetcher`, `schema`
 * and `hash` define the node while it lives (watched, then cached); later
 * callers share it. `fallback` is per handle.
 *
 * @example
 * const store = createStore({ endpoint: '/reality/sync' })
 * const room = store.node('chat:room:general', { fetcher: () => fetch('/api/messages').then((r) => r.json()) })
 * const stop = room.subscribe(({ data, isLoading }) => render(data, isLoading))
 */
export function createStore(options: StoreOptions = {}): Store {
  const { live = 'long-poll', wait = 25_000, interval = 5000, grace = 1500, timeout = 10_000, fetchTimeout = 30_000, cacheTime = 300_000, maxCached = 1000 } = options
  /** Every node: watched and cached. */
  const nodes = new Map<string, Node>()
  const watchedNodes = new Set<Node>()
  /** Cached nodes, least recently used first (a Map keeps insertion order). */
  const cachedNodes = new Map<string, Node>()
  /** Hydrated entries waiting for their node. */
  const waiting = new Map<string, HeldEntry>()
  const syncListeners = new Set<(record: SyncRecord) => void>()
  const timers = trackTimers(options.timers)
  let fetching = 0
  let destroyed = false

  const scheduler = createScheduler({
    transport: options.transport ?? httpTransport(options),
    live,
    wait,
    interval,
    timeout,
    timers,
    known() {
      const known: Record<string, number | null> = Object.create(null)
      for (const node of watchedNodes) {
        const version = node.known()
        if (version !== undefined) known[node.key] = version
      }
      return known
    },
    apply(response) {
      batch(() => {
        for (const key of Object.keys(response.changed)) nodes.get(key)?.report(response.changed[key]!)
        for (const key of response.denied ?? []) nodes.get(key)?.deny()
      })
    },
    record(record) {
      syncListeners.forEach((listener) => listener(record))
    },
  })

  const nodeHost: NodeHost = {
    timers,
    grace,
    cacheTime,
    fetchTimeout,
    fetchThrough: options.fetchThrough,
    watched(node) {
      if (destroyed) return
      cachedNodes.delete(node.key)
      watchedNodes.add(node)
      scheduler.start()
      scheduler.schedule()
    },
    cached(node) {
      if (watchedNodes.delete(node) && !watchedNodes.size) scheduler.stop()
      cachedNodes.delete(node.key)
      cachedNodes.set(node.key, node)
      // Least recently used first; the node just cached always stays.
      for (const oldest of cachedNodes.values()) {
        if (cachedNodes.size <= maxCached || oldest === node) break
        oldest.drop()
      }
    },
    gone(node) {
      watchedNodes.delete(node)
      cachedNodes.delete(node.key)
      if (nodes.get(node.key) === node) nodes.delete(node.key)
    },
    fetchStarted() {
      fetching++
    },
    fetchSettled() {
      fetching--
    },
    rejoin: () => scheduler.rejoin(),
  }

  function ensure(key: string, nodeOptions: NodeOptions<any>, toWatch?: boolean): Node {
    let node = nodes.get(key)
    if (!node) {
      node = new Node(key, nodeOptions, nodeHost)
      nodes.set(key, node)
      const entry = waiting.get(key)
      waiting.delete(key)
      if (entry) node.hydrate(entry)
      mutations.adopt(node)
      // About to be watched: skip the cached state (no LRU entry, no cache timer).
      if (!toWatch) node.startCached()
    } else touch(node)
    return node
  }

  /** A cached node read again becomes the most recently used. */
  function touch(node: Node) {
    if (cachedNodes.get(node.key) !== node) return
    cachedNodes.delete(node.key)
    cachedNodes.set(node.key, node)
  }

  function retry(keys: Iterable<string>) {
    for (const key of keys) nodes.get(key)?.retry()
  }

  const handleHost = { ensure, touch }

  const mutations = createMutations({
    node: (key) => nodes.get(key),
    retry,
    sync: () => scheduler.sync(),
  })

  return {
    node(key, nodeOptions) {
      if (destroyed) throw new RealityError('destroyed', 'Store destroyed: create a new one')
      return createHandle(key, nodeOptions as NodeOptions<any>, handleHost)
    },
    sync(keys) {
      retry(keys ?? [...watchedNodes].map((node) => node.key))
      return scheduler.sync()
    },
    mutate: mutations.mutate,
    status: scheduler.status,
    internals: {
      seed(entries) {
        batch(() => {
          for (const key of Object.keys(entries)) {
            const entry = entries[key]!
            const node = nodes.get(key)
            if (node) node.hydrate(entry)
            else if (entry.version > (waiting.get(key)?.version ?? -1)) waiting.set(key, entry)
          }
        })
      },
      nodes: () => nodes,
      seeded: () => waiting,
      onSync(listener) {
        syncListeners.add(listener)
        return () => void syncListeners.delete(listener)
      },
    },
    destroy() {
      destroyed = true
      scheduler.stop()
      nodes.forEach((node) => node.stop())
      nodes.clear()
      watchedNodes.clear()
      cachedNodes.clear()
      waiting.clear()
      mutations.clear()
      syncListeners.clear()
      timers.clear()
    },
    debug: () => ({ nodes: nodes.size, timers: timers.size, requests: scheduler.requests, fetches: fetching, hydrated: waiting.size, mutations: mutations.size }),
  }
}
