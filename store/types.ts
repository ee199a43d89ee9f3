/**
 * Public types of the client store. The sync scheduler, nodes and bindings
 * all speak these.
 */
import type { SyncRequest, SyncResponse } from '../protocol/types.js'
import type { Timers } from './timers.js'
import type { HttpTransportOptions } from './transports/http.js'
import type { StandardSchemaV1 } from './standard-schema.js'
export type { StandardSchemaV1 } from './standard-schema.js'
import type { StoreInternals } from './internals.js'
export type { HeldEntry, NodeInspection, NodeInternals, Snapshot, StoreInspection, StoreInternals, SyncRecord } from './internals.js'

/**
 * The store's connection to the server, as a UI would show it:
 * - `idle`: nothing to sync (no node), paused while the page is hidden
 *   (`live: 'long-poll' | 'interval'`), or destroyed;
 * - `connecting`: a request is out and none has succeeded since the store
 *   started, came back online or became visible;
 * - `live`: the last request succeeded;
 * - `reconnecting`: the last request failed in a way a retry can fix
 *   (network, deadline, truncated or non-JSON answer, 408, 429, 5xx):
 *   retrying with backoff (0.5 s doubling to 8 s, full jitter; a server's
 *   Retry-After wins, clamped to 1 s – 5 min);
 * - `error`: the last request failed in a way a retry will not fix (other
 *   4xx, a JSON answer that is not protocol v1): retried by itself about
 *   every 60 s, and at once on focus, online, a new key, a mutation or
 *   `store.sync()`;
 * - `offline`: the online manager says offline; nothing is sent.
 *
 * @example
 * store.status.subscribe((status) => (badge.textContent = status))
 */
export type ConnectionStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'offline' | 'error'

/**
 * Where a node's data stands: `idle` before its first fetch, `loading` while
 * a fetch runs, `success` after one, `error` after a failure (fetch, schema,
 * denial). A failure keeps the data and version held.
 *
 * @example
 * if (state.status === 'error') showRetry(state.error)
 */
export type NodeStatus = 'idle' | 'loading' | 'success' | 'error'

/**
 * A value you can read, watch and subscribe to (nanostores' atom shape; works
 * with `useStore` of `@nanostores/react` and Svelte's `$store`).
 *
 * @example
 * const stop = atom.subscribe((value) => console.log(value)) // logs at once, then on changes
 */
export interface ReadableAtom<T> {
  /** The current value. */
  get(): T
  /** The current value (the nanostores atom property). */
  readonly value: T
  /** Calls `cb` at once with the current value and on every change (the Svelte store contract). */
  subscribe(cb: (value: T) => void): () => void
  /** Calls `cb` on every change, not at once. */
  listen(cb: (value: T) => void): () => void
  /** How nanostores' `computed()` compares values (`Object.is`). */
  eq(a: T, b: T): boolean
}

/**
 * A node's state, as every subscriber of its key sees it. A new object on
 * every change and the same object between changes (stable snapshots for
 * `useSyncExternalStore`).
 *
 * @example
 * const { data, isLoading, error } = handle.get()
 */
export interface NodeState<T> {
  /** The data held, `fallback` before the first fetch, or `undefined`. */
  data: T | undefined
  /** The server version of `data`, `null` while none is held. */
  version: number | null
  status: NodeStatus
  /** The last fetch or validation error, cleared by the next success. */
  error: Error | undefined
  /** `true` until the first data or error arrives (show a spinner). */
  isLoading: boolean
}

/**
 * Passed to every fetcher call.
 *
 * @example
 * const fetcher: Fetcher<User> = (key, { signal }) => fetch(`/api/${key}`, { signal }).then((r) => r.json())
 */
export interface FetchContext {
  /** Aborted when the node is no longer watched, after `fetchTimeout`, or when the store is destroyed. */
  signal: AbortSignal
  /** The server version this fetch must reach (at least); `0` before any version was reported. */
  version: number
}

/**
 * Loads a key's data through the application's own API.
 *
 * @example
 * const fetcher: Fetcher<Message[]> = () => fetch('/api/messages').then((r) => r.json())
 */
export type Fetcher<T> = (key: string, context: FetchContext) => Promise<T> | T

/**
 * Options of `store.node(key, options)`.
 *
 * @example
 * store.node('user:1', { fetcher: () => api.user(1), fallback: { name: '…' }, hash: (user) => user.etag })
 */
export interface NodeOptions<T> {
  fetcher: Fetcher<T>
  /** Shown as `data` until the first fetch succeeds. */
  fallback?: T
  /** Validates what the fetcher (or an inline payload) returns. */
  schema?: StandardSchemaV1<unknown, T>
  /**
   * The app's content hash of a value: the same function the writer passes
   * as `hash` to `server.invalidate()`. With it, a version whose hash equals
   * the hash of the data held is adopted without a refetch.
   */
  hash?: (data: T) => string
}

/**
 * Node options with a `schema`: the schema's output is the data type and the
 * fetcher may return anything (`res.json()`), since it is validated.
 *
 * @example
 * store.node('user:1', { schema: User, fetcher: () => fetch('/api/users/1').then((r) => r.json()) }) // NodeHandle<User>
 */
export interface ValidatedNodeOptions<T> extends Omit<NodeOptions<T>, 'fetcher' | 'schema'> {
  fetcher: Fetcher<unknown>
  schema: StandardSchemaV1<unknown, T>
}

/**
 * The handle to a key's node: a readable atom of {@link NodeState}.
 *
 * @example
 * const room = store.node('chat:room:general', { fetcher })
 * room.subscribe(({ data }) => render(data))
 * await room.refetch()
 */
export interface NodeHandle<T> extends ReadableAtom<NodeState<T>> {
  readonly key: string
  /**
   * Fetches now, whatever the version (after the fetch in flight, if any).
   * Resolves when it settled; a failure lands in `error`, it does not reject.
   */
  refetch(): Promise<void>
}

/**
 * Options of `createStore()` and `getSharedStore()`.
 *
 * @example
 * createStore({ endpoint: 'https://api.example.com/reality/sync', credentials: 'include', live: 'interval', interval: 10_000 })
 */
export interface StoreOptions extends HttpTransportOptions {
  /** How to reach the server. Default: `httpTransport({ endpoint, fetch, headers, credentials })`. */
  transport?: Transport
  /**
   * How changes reach the page. `'long-poll'` (default) keeps one held request
   * open while visible and online; `'interval'` checks versions every
   * `interval` ms while visible; `'events'` syncs only on mount, focus,
   * online, mutations and `store.sync()` (for hosts where held requests cost money).
   * To stream answers over one open request, keep `'long-poll'` and pass
   * `transport: streamTransport()` from `reality/stream`.
   */
  live?: 'long-poll' | 'interval' | 'events'
  /** Long-poll wait sent to the server, ms. Default 25 000 (below the server's 30 000 clamp). */
  wait?: number
  /** Period of `live: 'interval'`, ms. Default 5 000. */
  interval?: number
  /** How long a node stays watched after its last subscriber (absorbs unmount/remount churn), ms. Default 1 500. */
  grace?: number
  /** How long a sync request may take beyond the `wait` it asked for, ms; past it the request is aborted and retried with backoff. Default 10 000. */
  timeout?: number
  /** How long a fetcher may take, ms; past it its `signal` aborts and the node gets `fetch_failed` and backs off. Default 30 000. */
  fetchTimeout?: number
  /** How long an unwatched node keeps its data, version and hash (shown at once and revalidated by version when watched again), ms. Default 300 000. */
  cacheTime?: number
  /** Cached (unwatched) nodes kept, least recently used dropped first (the most recent one always stays). Default 1 000. */
  maxCached?: number
  /**
   * Advanced hook for opt-in entries (such as a tab leader): every fetch of
   * a node goes through it. `target` is the version the fetch must reach
   * (the label its data gets); `run` calls the node's own fetcher. What it
   * resolves is treated exactly like the fetcher's result (validated,
   * labelled with `target`); a rejection is a failed fetch.
   */
  fetchThrough?: (key: string, target: number, run: () => Promise<unknown>) => Promise<unknown>
  /** Timer functions (tests inject fakes and count them). Default: the global ones. */
  timers?: Timers
}

/**
 * The data type behind a key or a handle, for typed optimistic updates.
 *
 * @example
 * type Count = DataOf<NodeHandle<number>> // number
 */
export type DataOf<K> = K extends NodeHandle<infer T> ? T : any

/**
 * Turns the data shown for a key into its optimistic value. Must be pure: it
 * runs again whenever the data under it changes.
 *
 * @example
 * const addOne: Updater<number> = (n) => (n ?? 0) + 1
 */
export type Updater<T> = (data: T | undefined) => T

/**
 * Options of `store.mutate()`.
 *
 * @example
 * store.mutate([todos], () => api.add(todo), { optimistic: [(list) => [...(list ?? []), todo]] })
 * store.mutate(['todos'], () => api.add(todo), { optimistic: { todos: (list: Todo[] | undefined) => [...(list ?? []), todo] } })
 */
export interface MutateOptions<K extends readonly (string | NodeHandle<any>)[]> {
  /**
   * Optimistic values, shown at once on top of the fetched data: either one
   * updater per entry of `keys`, in the same order (typed from the handles),
   * or an object from key to updater.
   */
  optimistic?: { [I in keyof K]?: Updater<DataOf<K[I]>> } | (K[number] extends string ? { [P in K[number]]?: Updater<any> } : never)
}

/**
 * Diagnostics: what a store owns right now (tests count these back to zero).
 *
 * @example
 * store.destroy(); store.debug() // { nodes: 0, timers: 0, requests: 0, fetches: 0, hydrated: 0, mutations: 0 }
 */
export interface StoreStats {
  /** Node entries: watched (subscribed or in grace) and cached. */
  nodes: number
  /** Pending timers owned by the store (grace, cache time, backoff, deadlines, interval). */
  timers: number
  /** HTTP sync requests in flight (0 or 1; 2 or more when `known` is split to fit the server's limits). */
  requests: number
  /** Fetcher calls in flight. */
  fetches: number
  /** Hydrated entries waiting for their node. */
  hydrated: number
  /** Optimistic mutations not yet retired. */
  mutations: number
}

/**
 * A client store: one per page (see `getSharedStore()`).
 *
 * @example
 * const store = getSharedStore()
 * const me = store.node('user:me', { fetcher })
 * await store.mutate([me], () => api.rename('Ada'), { optimistic: [(user) => ({ ...user!, name: 'Ada' })] })
 */
export interface Store {
  /** The handle to the one node of `key`. The first caller's `fetcher`, `schema` and `hash` hold while the node lives; `fallback` is per handle. */
  node<T>(key: string, options: ValidatedNodeOptions<T>): NodeHandle<T>
  node<T>(key: string, options: NodeOptions<T>): NodeHandle<T>
  /** Syncs now (all watched keys, or `keys` first among them): resolves when the answer is applied. */
  sync(keys?: string[]): Promise<void>
  /** Runs `fn`, showing `optimistic` values while it is pending; syncs `keys` once it settles. */
  mutate<const K extends readonly (string | NodeHandle<any>)[], R>(keys: K, fn: () => Promise<R> | R, options?: MutateOptions<K>): Promise<R>
  /** The connection to the server (see `ConnectionStatus`). */
  readonly status: ReadableAtom<ConnectionStatus>
  /** Aborts every request and fetch, clears every timer and listener. The store is unusable afterwards. */
  destroy(): void
  /** Diagnostics: counts of what the store owns. */
  debug(): StoreStats
  /**
   * What the opt-in entries build on (`reality/ssr`'s `dehydrate()` and
   * `hydrate()`, `reality/devtools`' `inspect()` and `onSync()`), so that
   * apps without them do not download them. Apps call those functions, not this.
   */
  readonly internals: StoreInternals
}

/**
 * Sends one sync request and returns the server's answer; rejects (a
 * `RealityError` with `status`/`retryAfter` when it has them) on failure, and
 * when `signal` aborts.
 *
 * @example
 * const logging: Transport = { sync: (request, signal) => (console.log(request), inner.sync(request, signal)) }
 */
export interface Transport {
  sync(request: SyncRequest, signal: AbortSignal): Promise<SyncResponse>
}
