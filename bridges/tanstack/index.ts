/**
 * `reality/tanstack`: makes an existing TanStack Query app live. Every active
 * query whose key maps to a Reality key is watched by the store; when the
 * server reports a new version of that key, that query (and only queries
 * mapped to that key) refetches through its own `queryFn`.
 *
 * @example
 * import { QueryClient } from '@tanstack/query-core' // or @tanstack/react-query, vue-query…
 * import { connectQueryClient } from 'reality/tanstack'
 * const queryClient = new QueryClient()
 * const disconnect = connectQueryClient(queryClient) // the page's shared store
 *
 * @packageDocumentation
 */
import { getSharedStore, type Store } from '../../store/index.js'
import { defaultKeyOf, watchKey } from '../watched-keys.js'

/** A TanStack query key. */
export type QueryKey = readonly unknown[]

/**
 * What the bridge uses of a TanStack `Query`. Typed by shape, not by the
 * class, so a `QueryClient` from any copy of `@tanstack/query-core` fits:
 * adapters such as `@tanstack/vue-query` may bring their own copy.
 *
 * @example
 * const query: BridgedQuery = queryClient.getQueryCache().getAll()[0]!
 */
export interface BridgedQuery {
  readonly queryKey: QueryKey
  readonly queryHash: string
  readonly state: { data: unknown; fetchStatus: string }
  isActive(): boolean
  fetch(options?: undefined, fetchOptions?: { cancelRefetch?: boolean }): Promise<unknown>
}

/**
 * What the bridge uses of a TanStack `QueryClient` (see {@link BridgedQuery}).
 *
 * @example
 * const client: BridgedQueryClient = new QueryClient()
 */
export interface BridgedQueryClient {
  getQueryCache(): {
    subscribe(listener: (event: { type: string; query: BridgedQuery }) => void): () => void
    getAll(): BridgedQuery[]
    get(queryHash: string): BridgedQuery | undefined
  }
}

/**
 * Options of {@link connectQueryClient}.
 *
 * @example
 * connectQueryClient(queryClient, { store, keyOf: (queryKey) => (queryKey[0] === 'room' ? `chat:room:${queryKey[1]}` : undefined) })
 */
export interface ConnectQueryClientOptions {
  /** The store that syncs versions. Default: `getSharedStore()`. */
  store?: Store
  /**
   * The Reality key a query shows, or `undefined` to leave the query alone.
   * Default: the leading string and number parts of the query key joined
   * with `:` (`['chat', 'room', 7, { page: 2 }]` → `'chat:room:7'`).
   */
  keyOf?: (queryKey: QueryKey) => string | undefined
}

/**
 * Refetches `query` with a fetch that starts now. The node labels what it
 * brings with the version it was called for (ARCHITECTURE.md C2), so a fetch
 * that started before that version was reported must not count:
 * `cancelRefetch` replaces a running fetch when the query has data; without
 * data, TanStack hands back the running fetch instead, so we let it settle
 * and fetch again.
 */
async function refetchFromNow(query: BridgedQuery): Promise<void> {
  if (query.state.data === undefined && query.state.fetchStatus !== 'idle') await query.fetch().catch(() => undefined)
  await query.fetch(undefined, { cancelRefetch: true })
}

/**
 * Connects a `QueryClient` to a Reality store: each active query (one with an
 * enabled observer) whose key maps to a Reality key is watched, all in one
 * sync request per tick, long-polled like every node of the store; inactive
 * queries are not. Returns a function that disconnects and removes every
 * listener it added.
 *
 * The first check of a key the store holds no version for refetches the
 * query once: its data came from a fetch that started before any version of
 * the key was read, and a write that landed between that fetch and the first
 * sync would otherwise be lost for good (ARCHITECTURE.md C2). A key the store
 * still holds (a query that went inactive and came back within the store's
 * `cacheTime`) is checked by version: no refetch unless it changed.
 *
 * @example
 * const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity } } })
 * const disconnect = connectQueryClient(queryClient)
 * // useQuery({ queryKey: ['chat', 'room', 'general'], queryFn }) now refetches when the
 * // server calls reality.invalidate(['chat:room:general']).
 */
export function connectQueryClient(queryClient: BridgedQueryClient, options: ConnectQueryClientOptions = {}): () => void {
  const store = options.store ?? getSharedStore()
  const keyOf = options.keyOf ?? defaultKeyOf
  const queryCache = queryClient.getQueryCache()
  const watching = new Map<BridgedQuery, { key: string; stop: () => void }>()

  const update = (query: BridgedQuery) => {
    const key = query.isActive() && queryCache.get(query.queryHash) === query ? keyOf(query.queryKey) : undefined
    const current = watching.get(query)
    if (current?.key === key) return
    current?.stop()
    watching.delete(query)
    if (key !== undefined) watching.set(query, { key, stop: watchKey(store, key, queryCache, query.queryHash, () => refetchFromNow(query)) })
  }
  const onEvent = (event: { type: string; query: BridgedQuery }) => {
    if (event.type !== 'observerResultsUpdated' && event.type !== 'updated') update(event.query)
  }

  const unsubscribe = queryCache.subscribe(onEvent)
  queryCache.getAll().forEach(update)
  return () => {
    unsubscribe()
    watching.forEach((watched) => watched.stop())
    watching.clear()
  }
}
