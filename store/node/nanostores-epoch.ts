/**
 * nanostores 1.x interop. Its `computed()` recomputes only when the global
 * epoch (`globalThis.nanostoresGlobal.epoch`, shared by every copy of
 * nanostores on the page) moved since it last ran, and compares inputs with
 * each store's `eq`. Every change of a node or of `store.status` moves that
 * epoch, so handles work as inputs to nanostores' `computed` and `batched`.
 */

interface NanostoresGlobal {
  epoch: number
}

/**
 * Moves nanostores' global epoch (creating it the way nanostores does when
 * nanostores is not loaded yet).
 *
 * @example
 * state.value = next
 * announceChange()
 */
export function announceChange(): void {
  const holder = globalThis as { nanostoresGlobal?: NanostoresGlobal }
  if (holder.nanostoresGlobal) holder.nanostoresGlobal.epoch++
  else holder.nanostoresGlobal = { epoch: 1 }
}
