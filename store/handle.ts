import type { Node } from './node/node.js'
import type { NodeHandle, NodeOptions, NodeState } from './types.js'

/** How a handle reaches its node. */
export interface HandleHost<T> {
  /** Finds or creates the key's node (a new one takes `options`); `toWatch`: a subscription follows at once (a new node skips the cached state). */
  ensure(key: string, options: NodeOptions<T>, toWatch?: boolean): Node<T>
  /** The node was read: most recently used. */
  touch(node: Node<T>): void
}

/**
 * A handle to the one node of `key`: nanostores' atom shape (`get`,
 * `subscribe`, `listen`, `value`, `eq`) plus `refetch()`.
 *
 * Subscribing watches the node (ARCHITECTURE.md C6): `subscribe` and
 * `listen` subscribe to the node (the cell of its state) directly: the hot
 * path is one cell write, one callback. When the
 * node is gone (its cache time passed), the handle finds or creates the
 * key's node anew. `fallback` belongs to the handle: it is shown as `data`
 * while the node holds none, in a state object kept stable between changes.
 *
 * @example
 * const handle = createHandle('user:42', { fetcher }, { ensure: (key, options) => ensureNode(key, options), touch })
 * const stop = handle.subscribe((state) => render(state.data))
 */
export function createHandle<T>(key: string, options: NodeOptions<T>, host: HandleHost<T>): NodeHandle<T> {
  const { fallback } = options
  // Found or created at first use: creating many handles before subscribing
  // them creates no cached nodes (which maxCached would evict again).
  let node: Node<T> | undefined
  let lastState: NodeState<T> | undefined
  let lastShown: NodeState<T> | undefined
  const current = (toWatch?: boolean) => {
    if (!node || node.isGone()) node = host.ensure(key, options, toWatch)
    return node
  }
  /** The state with `fallback` as data while none is held; the same object for the same state. */
  const show = (state: NodeState<T>): NodeState<T> => {
    if (fallback === undefined || state.data !== undefined) return state
    if (state !== lastState) {
      lastState = state
      lastShown = { ...state, data: fallback }
    }
    return lastShown!
  }
  const watchWith = (callback: (state: NodeState<T>) => void, callNow: boolean) => {
    const watched = current(true)
    // Without a fallback the node's state is shown as it is: no wrapper per subscription.
    const showTo = fallback === undefined ? callback : (state: NodeState<T>) => callback(show(state))
    return callNow ? watched.subscribe(showTo) : watched.listen(showTo)
  }
  const get = () => {
    const read = current()
    host.touch(read)
    return show(read.get())
  }
  return {
    key,
    get,
    get value() {
      return get()
    },
    /** nanostores' `computed()` compares inputs with `eq`: state objects are new on every change. */
    eq: Object.is,
    subscribe: (callback) => watchWith(callback, true),
    listen: (callback) => watchWith(callback, false),
    refetch: () => current().refetch(),
  }
}
