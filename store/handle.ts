import { computed } from '@preact/signals-core'
import type { Node } from './node/node.js'
import type { NodeHandle, NodeState } from './types.js'

/** How a handle reaches its node. */
export interface HandleHost<T> {
  /** Finds or creates the key's node; `toWatch`: a subscription follows at once (a new node skips the cached state). */
  ensure(toWatch?: boolean): Node<T>
  /** The node was read: most recently used. */
  touch(node: Node<T>): void
}

/**
 * A handle to the one node of `key`: nanostores' atom shape (`get`,
 * `subscribe`, `listen`, `value`, `eq`) plus `.signal` and `refetch()`.
 *
 * Subscribing watches the node (ARCHITECTURE.md C6): `subscribe` and
 * `listen` subscribe to the node's state signal directly (the hot path: one
 * signal write, one callback), `.signal` is a computed over it. When the
 * node is gone (its cache time passed), the handle finds or creates the
 * key's node anew. `fallback` belongs to the handle: it is shown as `data`
 * while the node holds none, in a state object kept stable between changes.
 *
 * @example
 * const handle = createHandle('user:42', undefined, { ensure: () => ensureNode('user:42'), touch })
 * const stop = handle.subscribe((state) => render(state.data))
 */
export function createHandle<T>(key: string, fallback: T | undefined, host: HandleHost<T>): NodeHandle<T> {
  // Found or created at first use: creating many handles before subscribing
  // them creates no cached nodes (which maxCached would evict again).
  let node: Node<T> | undefined
  let lastState: NodeState<T> | undefined
  let lastShown: NodeState<T> | undefined
  const current = (toWatch?: boolean) => {
    if (!node || node.isGone()) node = host.ensure(toWatch)
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
  const watchWith = (callback: (state: NodeState<T>) => void, skipFirst: boolean) => {
    const watched = current(true)
    let first = skipFirst
    watched.countSubscriber(1)
    const stop = watched.state.subscribe((state) => {
      if (first) first = false
      else callback(show(state))
    })
    let stopped = false
    return () => {
      if (stopped) return
      stopped = true
      watched.countSubscriber(-1)
      stop()
    }
  }
  const signal = computed(
    (): NodeState<T> => {
      const watched = current()
      watched.gone.value // a gone node re-runs this computed, which finds the key's new node
      return show(watched.state.value)
    },
    { watched: () => current().countSubscriber(1), unwatched: () => node?.countSubscriber(-1) },
  )
  const get = () => {
    const read = current()
    host.touch(read)
    return show(read.state.peek())
  }
  return {
    key,
    signal,
    get,
    get value() {
      return get()
    },
    /** nanostores' `computed()` compares inputs with `eq`: state objects are new on every change. */
    eq: Object.is,
    subscribe: (callback) => watchWith(callback, false),
    listen: (callback) => watchWith(callback, true),
    refetch: () => current().refetch(),
  }
}
