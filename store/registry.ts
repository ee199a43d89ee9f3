import { createStore } from './create-store.js'
import type { Store, StoreOptions } from './types.js'

const BRAND = Symbol.for('reality.registry')
/** PROTOCOL_VERSION of protocol/limits.ts (inlined, see transports/http.ts). */
const PROTOCOL_VERSION = 1
/**
 * The shape of the `Store` object this copy registers. Bump it whenever a
 * method is added, removed or changes meaning: a copy of the library that
 * finds another shape must not call methods the registered store lacks.
 */
const STORE_API = 4

/** What lives under `globalThis[Symbol.for('reality.registry')]`. */
export interface RegistryRecord {
  /** Wire protocol the store speaks. */
  v: number
  /** Shape of the registered store's API (see STORE_API); copies with another shape do not share it. */
  api: number
  store: Store
  /** Copies of the library (bundles) holding the store; the last `destroy()` ends it. */
  claims: number
}

/** This copy's claim on the page's store, or its private store. */
let mine: Store | undefined
/** The record `mine` is a view of (undefined for a private store). */
let mineRecord: RegistryRecord | undefined

/**
 * The page's one store (ARCHITECTURE.md C5). Every copy of the library on
 * the page (micro-frontends, duplicated bundles) finds it under the same
 * `Symbol.for` brand, so all share one node per key, one request per tick
 * and one fetch per change. `options` apply only when this call creates the
 * store; later calls return it unchanged.
 *
 * Each copy of the library gets its own view of the store: the same nodes,
 * requests and status, but its own `destroy()`, which releases only that
 * copy's claim. The store stops when the last copy destroyed its view, so
 * one bundle's `destroy()` never stops the handles of another.
 *
 * A copy whose registered store speaks another protocol or has another API
 * shape (another major version of the library) gets a private store and one
 * console warning, never an exception: that page then syncs twice.
 *
 * Across copies, handles and `store.status` work everywhere (`subscribe`,
 * `listen`, `get`); `toSignal()` of `reality/signals` makes a signal of the
 * calling bundle's own signals-core copy, which its `effect()`s track.
 *
 * @example
 * const store = getSharedStore({ endpoint: '/api/reality/sync' })
 * const me = store.node('user:me', { fetcher: () => fetch('/api/me').then((r) => r.json()) })
 */
export function getSharedStore(options?: StoreOptions): Store {
  const registry = globalThis as { [BRAND]?: RegistryRecord }
  let record = registry[BRAND]
  // A view of a record that is no longer registered is stale: claim anew.
  if (mine && (!mineRecord || mineRecord === record)) return mine
  let claim: RegistryRecord
  if (record && (record.v !== PROTOCOL_VERSION || record.api !== STORE_API)) {
    console.warn(`reality: the shared store is from another reality version (API ${record.api}, not ${STORE_API}): this bundle uses a private store: use one reality version in all bundles`)
    // A private record, never registered: released like a shared one, by its only claim.
    claim = { v: PROTOCOL_VERSION, api: STORE_API, store: createStore(options), claims: 0 }
    mineRecord = undefined
  } else {
    if (!record) {
      record = { v: PROTOCOL_VERSION, api: STORE_API, store: createStore(options), claims: 0 }
      registry[BRAND] = record
    }
    claim = record
    mineRecord = claim
  }
  claim.claims++
  let released = false
  const view: Store = {
    ...claim.store,
    destroy() {
      if (released) return
      released = true
      claim.claims--
      if (mine === view) mine = undefined
      if (claim.claims > 0) return
      if (registry[BRAND] === claim) delete registry[BRAND]
      claim.store.destroy()
    },
  }
  return (mine = view)
}
