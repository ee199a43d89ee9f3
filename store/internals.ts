/**
 * Types of what a store shows its opt-in entries (`store.internals`):
 * `reality/ssr` (snapshots of held data) and `reality/devtools` (inspection
 * and the sync log). Apps use those entries' functions, not these directly.
 */
import type { ConnectionStatus, NodeStatus } from './types.js'

/**
 * A JSON-serializable picture of the data a store holds (`dehydrate(store)` of `reality/ssr`).
 *
 * @example
 * const snapshot: Snapshot = { v: 1, nodes: { 'user:1': { data: { name: 'Ada' }, version: 1732271234567001 } } }
 */
export interface Snapshot {
  v: 1
  nodes: Record<string, HeldEntry>
}

/**
 * One node as `inspect(store)` of `reality/devtools` shows it.
 *
 * @example
 * inspect(store).nodes.filter((node) => node.state === 'watched')
 */
export interface NodeInspection {
  key: string
  /** Version of the data held. */
  version: number | null
  status: NodeStatus
  /** Handles subscribed now. */
  subscribers: number
  /** `watched` (subscribed, or within `grace`) or `cached`. */
  state: 'watched' | 'cached'
  fetching: boolean
  /** `Date.now()` when the last fetch settled. */
  lastFetchAt?: number
  /** Message of the node's error, if any. */
  error?: string
}

/**
 * What `inspect(store)` of `reality/devtools` returns.
 *
 * @example
 * const { status, nodes } = inspect(store)
 */
export interface StoreInspection {
  status: ConnectionStatus
  nodes: NodeInspection[]
}

/**
 * One settled sync request, as `onSync(store, listener)` of `reality/devtools`
 * reports it. A request split to fit the server's limits reports one record
 * per part, with the same `id`.
 *
 * @example
 * onSync(store, (record) => console.log(record.id, record.keys.length, record.changed))
 */
export interface SyncRecord {
  /** Request number, increasing. */
  id: number
  /** Keys sent in `known`. */
  keys: string[]
  /** Whether the server was asked to hold it (`wait` > 0). */
  held: boolean
  /** Keys the answer reported changed. */
  changed: string[]
  denied: string[]
  /** `Date.now()` when it was sent. */
  startedAt: number
  /** ms until it settled. */
  duration: number
  /** Message, when it failed. */
  error?: string
}

/**
 * One entry of a {@link Snapshot}: data labelled with the version it is exactly.
 *
 * @example
 * const entry: HeldEntry = { data: { name: 'Ada' }, version: 7 }
 */
export interface HeldEntry {
  data: unknown
  version: number
  hash?: string
}

/**
 * What a node shows the opt-in entries (`store.internals.nodes()`).
 *
 * @example
 * for (const node of store.internals.nodes().values()) console.log(node.inspect(), node.entry())
 */
export interface NodeInternals {
  /** Where the node stands (devtools). */
  inspect(): NodeInspection
  /** The data held with its version, or `undefined` while none is held (SSR). */
  entry(): HeldEntry | undefined
}

/**
 * What a store offers its opt-in entries (`store.internals`): the parts
 * `reality/ssr` and `reality/devtools` are built on. Not for apps.
 *
 * @example
 * store.internals.seed({ 'user:1': { data: { name: 'Ada' }, version: 7 } }) // what hydrate(store, snapshot) does
 */
export interface StoreInternals {
  /** Hands entries to their keys' nodes (adopted when newer than what is held), or keeps them, newest first, until the node is created. */
  seed(entries: Record<string, HeldEntry>): void
  /** Every node by key, watched and cached (read-only). */
  nodes(): ReadonlyMap<string, NodeInternals>
  /** Seeded entries still waiting for their node, by key (read-only). */
  seeded(): ReadonlyMap<string, HeldEntry>
  /** Calls `listener` after each sync request settled (answered or failed; aborts are not reported). Returns the unsubscribe function. */
  onSync(listener: (record: SyncRecord) => void): () => void
}
