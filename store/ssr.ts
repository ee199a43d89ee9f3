import { RealityError } from './errors.js'
import type { HeldEntry, Node } from './node/node.js'
import type { Snapshot } from './types.js'

/**
 * Server-side rendering support: what a store holds, as JSON, and back.
 * A hydrated page does not refetch: its first sync sends the snapshot's
 * versions and the server answers "unchanged". An entry is taken as the data
 * at its version: a newer entry replaces it, and so does an inline payload.
 */

/**
 * The data held by `nodes`, plus hydrated entries still waiting for their
 * node: `{ v: 1, nodes: { key: { data, version, hash? } } }`.
 *
 * @example
 * const html = render(app); const snapshot = dehydrate(nodes, waiting)
 */
export function dehydrate(nodes: Map<string, Node>, waiting: Map<string, HeldEntry>): Snapshot {
  const entries = [...waiting]
  nodes.forEach((node, key) => {
    const entry = node.entry()
    if (entry) entries.push([key, entry])
  })
  return { v: 1, nodes: Object.fromEntries(entries) }
}

/**
 * Adopts the entries of `snapshot` that are newer than what is held; keys
 * without a node wait in `waiting` until `store.node()` creates it.
 * Throws `invalid_snapshot` on anything that is not a v1 snapshot.
 *
 * @example
 * hydrate(JSON.parse(script.textContent), nodes, waiting)
 */
export function hydrate(snapshot: Snapshot, nodes: Map<string, Node>, waiting: Map<string, HeldEntry>): void {
  const list = snapshot?.v === 1 && snapshot.nodes
  const entries = Object.entries(list || 0)
  if (!list || entries.some(([, entry]) => !Number.isSafeInteger(entry?.version))) throw new RealityError('invalid_snapshot', 'hydrate() takes what store.dehydrate() returned')
  for (const [key, entry] of entries) {
    const node = nodes.get(key)
    if (node) node.hydrate(entry)
    else if (entry.version > (waiting.get(key)?.version ?? -1)) waiting.set(key, entry)
  }
}
