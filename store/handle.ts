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
 * `listen` subscribe to the node's state signal directly (the hot path: one
 * signal write, one callback), `.signal` is a computed over it, made at its
 * first read. When the node is gone (its cache time passed), the handle
 * finds or creates the key's node anew. `fallback` belongs to the handle: it
 * is shown as `data` while the node holds none, in a state object kept
 * stable between changes.
 *
 * A class, so that a handle costs one object: an app that subscribes
 * thousands of keys allocates no closures per handle beyond its callbacks.
 *
 * @example
 * const handle = new Handle('user:42', { fetcher }, { ensure: (key, options) => ensureNode(key, options), touch })
 * const stop = handle.subscribe((state) => render(state.data))
 */
export class Handle<T> implements NodeHandle<T> {
  readonly key: string
  readonly #options: NodeOptions<T>
  readonly #host: HandleHost<T>
  // Found or created at first use: creating many handles before subscribing
  // them creates no cached nodes (which maxCached would evict again).
  #node: Node<T> | undefined
  #lastState: NodeState<T> | undefined
  #lastShown: NodeState<T> | undefined
  #computedState: ReadonlySignal<NodeState<T>> | undefined

  constructor(key: string, options: NodeOptions<T>, host: HandleHost<T>) {
    this.key = key
    this.#options = options
    this.#host = host
  }

  /** `.signal`: a computed over the node's state, made at its first read; a gone node re-runs it, which finds the key's new node. */
  get signal(): ReadonlySignal<NodeState<T>> {
    if (!this.#computedState) {
      this.#computedState = computed(() => this.#show(this.#current().state.value), {
        watched: () => this.#current().countSubscriber(1),
        unwatched: () => this.#node?.countSubscriber(-1),
      })
    }
    return this.#computedState
  }

  get value(): NodeState<T> {
    return this.get()
  }

  get(): NodeState<T> {
    const read = this.#current()
    this.#host.touch(read)
    return this.#show(read.state.peek())
  }

  /** nanostores' `computed()` compares inputs with `eq`: state objects are new on every change. */
  eq(a: NodeState<T>, b: NodeState<T>): boolean {
    return Object.is(a, b)
  }

  subscribe(callback: (state: NodeState<T>) => void): () => void {
    return this.#watchWith(callback, false)
  }

  listen(callback: (state: NodeState<T>) => void): () => void {
    return this.#watchWith(callback, true)
  }

  refetch(): Promise<void> {
    return this.#current().refetch()
  }

  #current(toWatch?: boolean): Node<T> {
    if (!this.#node || this.#node.isGone()) this.#node = this.#host.ensure(this.key, this.#options, toWatch)
    return this.#node
  }

  /** The state with `fallback` as data while none is held; the same object for the same state. */
  #show(state: NodeState<T>): NodeState<T> {
    const { fallback } = this.#options
    if (fallback === undefined || state.data !== undefined) return state
    if (state !== this.#lastState) {
      this.#lastState = state
      this.#lastShown = { ...state, data: fallback }
    }
    return this.#lastShown!
  }

  #watchWith(callback: (state: NodeState<T>) => void, skipFirst: boolean): () => void {
    const watched = this.#current(true)
    let first = skipFirst
    watched.countSubscriber(1)
    const stop = watched.state.subscribe((state) => {
      if (first) first = false
      else callback(this.#show(state))
    })
    let stopped = false
    return () => {
      if (stopped) return
      stopped = true
      watched.countSubscriber(-1)
      stop()
    }
  }
}
