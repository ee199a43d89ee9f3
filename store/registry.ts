import { createStore } from './create-store.js'
import { RealityError } from './errors.js'
import type { Store, StoreOptions } from './types.js'

const BRAND = Symbol.for('reality.registry')
/** PROTOCOL_VERSION of protocol/limits.ts (inlined, see transports/http.ts). */
const PROTOCOL_VERSION = 1

/** What lives under `globalThis[Symbol.for('reality.registry')]`. */
export interface RegistryRecord {
  /** Wire protocol the store speaks; copies that speak another refuse to share. */
  v: number
  store: Store
}

/**
 * The page's one store (invariant 5). Every copy of the library on the page
 * (micro-frontends, duplicated bundles) finds it under the same `Symbol.for`
 * brand, so all share one node per key, one request per tick and one fetch
 * per change. `options` apply only when this call creates the store; later
 * calls return the existing one unchanged. `destroy()` unregisters it.
 *
 * Across copies, `subscribe`/`listen`/`get` work everywhere; a handle's
 * `.signal` belongs to the signals-core copy that created the store, so
 * `effect()`s of another copy do not track it.
 *
 * @example
 * const store = getSharedStore({ endpoint: '/api/reality/sync' })
 * const me = store.node('user:me', { fetcher: () => fetch('/api/me').then((r) => r.json()) })
 */
export function getSharedStore(options?: StoreOptions): Store {
  const g = globalThis as { [BRAND]?: RegistryRecord }
  const record = g[BRAND]
  if (record) {
    if (record.v !== PROTOCOL_VERSION) {
      throw new RealityError('protocol_mismatch', `Shared store speaks protocol v${record.v}, not v${PROTOCOL_VERSION}: use one reality version in all bundles`)
    }
    return record.store
  }
  const store = createStore(options)
  const destroy = store.destroy
  store.destroy = () => {
    destroy()
    if (g[BRAND]?.store === store) delete g[BRAND]
  }
  g[BRAND] = { v: PROTOCOL_VERSION, store }
  return store
}
