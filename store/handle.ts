import { computed, type ReadonlySignal } from '@preact/signals-core'
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
 * `subscribe`, `listen`, `value`, `eq`) plus `.signal` and `refetch()`.
 *
 * Subscribing watches the node (ARCHITECTURE.md C6): `subscribe` and
 * `listen` subscribe to the node (a signal of its state) directly: the hot
 * path is one signal write, one callback. `.signal` is a computed over it,
 * made at its first read, so handles that never use it cost none. When the
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
  let computedState: ReadonlySignal<NodeState<T>> | undefined
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
  const watchWith = (callback: (state: NodeState<T>) => void, skipFirst: boolean) => {
    const watched = current(true)
    let first = skipFirst
    watched.countSubscriber(1)
    const stop = watched.subscribe((state) => {
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
  const get = () => {
    const read = current()
    host.touch(read)
    return show(read.peek())
  }
  return {
    key,
    /** A gone node re-runs the computed (its state changes on drop), which finds the key's new node. */
    get signal() {
      computedState ??= computed(() => show(current().value), {
        watched: () => current().countSubscriber(1),
        unwatched: () => node?.countSubscriber(-1),
      })
      return computedState
    },
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
