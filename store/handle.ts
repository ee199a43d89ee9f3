import { computed } from '@preact/signals-core'
import { readable } from './atom.js'
import type { Node } from './node.js'
import type { NodeHandle, NodeState } from './types.js'

/** How a handle reaches its node: find or create it, count subscribers. */
export interface HandleHost<T> {
  ensure(): Node<T>
  acquire(node: Node<T>): void
  release(node: Node<T>): void
}

/**
 * A readable atom over the one node of `key`. Its signal is "watched" while
 * anything subscribes (an effect, `subscribe`, `listen`, a framework
 * binding): the first watcher starts the node, the last one lets it go after
 * the store's grace delay. When the node was collected and the handle is
 * read again, it finds or creates the node anew. `fallback` belongs to the
 * handle: it is shown as `data` while the node holds none.
 *
 * @example
 * const handle = createHandle('user:42', undefined, host)
 * const stop = handle.subscribe((state) => render(state.data))
 */
export function createHandle<T>(key: string, fallback: T | undefined, host: HandleHost<T>): NodeHandle<T> {
  let node: Node<T> | undefined
  const current = () => (node && !node.gone.peek() ? node : (node = host.ensure()))
  const state = computed(
    (): NodeState<T> => {
      let n = node
      if (!n || n.gone.value) n = current()
      n.gone.value
      const s = n.state.value
      return s.data === undefined && fallback !== undefined ? { ...s, data: fallback } : s
    },
    { watched: () => host.acquire(current()), unwatched: () => host.release(node!) },
  )
  return Object.assign(readable(state), { key, refetch: () => current().refetch() })
}
