/**
 * `reality/ssr`: server-side rendering support, opt-in so that pages which
 * never hydrate do not download it. `dehydrate(store)` turns what a store
 * holds into JSON; `hydrate(store, snapshot)` gives it to the browser's
 * store. A hydrated page does not refetch: its first sync sends the
 * snapshot's versions and the server answers "unchanged". An entry is taken
 * as the data at its version: a newer entry replaces it, and so does an
 * inline payload.
 *
 * @example
 * import { dehydrate, hydrate } from 'reality/ssr'
 * const snapshot = dehydrate(serverStore) // on the server, after loading the data
 * hydrate(getSharedStore(), snapshot) // in the browser, before the first render
 *
 * @packageDocumentation
 */
import { RealityError } from '../store/errors.js'
import type { Snapshot, Store } from '../store/types.js'

export type { HeldEntry, Snapshot } from '../store/types.js'

/**
 * The data `store` holds, plus hydrated entries still waiting for their
 * node: `{ v: 1, nodes: { key: { data, version, hash? } } }`.
 *
 * @example
 * const html = renderToString(<App />)
 * const snapshot = dehydrate(store) // send it with the page
 */
export function dehydrate(store: Store): Snapshot {
  const entries = [...store.internals.seeded()]
  store.internals.nodes().forEach((node, key) => {
    const entry = node.entry()
    if (entry) entries.push([key, entry])
  })
  // fromEntries: a key named "__proto__" stays a key.
  return { v: 1, nodes: Object.fromEntries(entries) }
}

/**
 * Adopts the entries of `snapshot` that are newer than what `store` holds;
 * keys without a node wait until `store.node()` creates it. Throws
 * `invalid_snapshot` on anything that is not a v1 snapshot.
 *
 * @example
 * hydrate(getSharedStore(), JSON.parse(document.getElementById('reality-snapshot')!.textContent!))
 */
export function hydrate(store: Store, snapshot: Snapshot): void {
  const entries = snapshot?.v === 1 && snapshot.nodes
  if (!entries || typeof entries !== 'object' || Object.values(entries).some((entry) => !Number.isSafeInteger(entry?.version))) {
    throw new RealityError('invalid_snapshot', 'hydrate() takes what dehydrate() returned')
  }
  store.internals.seed(entries)
}
