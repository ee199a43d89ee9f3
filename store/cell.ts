import { announceChange } from './node/nanostores-epoch.js'
import type { ReadableAtom } from './types.js'

/**
 * The store's one reactive primitive: a value with subscribers.
 *
 * Why not a signals library: the store never needs a dependency graph.
 * Every subscriber (a handle, a binding, `store.status`) watches exactly one
 * value, so a node only has to call its listeners when its state changes,
 * know when its first subscriber comes and its last goes, and hold its
 * notifications while a sync answer is applied (`batch`). That is this file;
 * `reality/signals` turns any cell into an `@preact/signals-core` signal for
 * apps that want one.
 *
 * A cell is nanostores' readable atom (`get`, `value`, `subscribe`,
 * `listen`, `eq`); every change also moves nanostores' epoch, so cells work
 * as inputs to nanostores' `computed` and `batched` (node/nanostores-epoch.ts).
 */

type Listener<T> = (value: T) => void

/** Open `batch()` calls; cells changed meanwhile notify when the outermost ends. */
let batchDepth = 0
let changedInBatch: Cell<any>[] = []

/**
 * Runs `fn`, holding every cell's notifications until it returns: a
 * subscriber sees each cell once, with its last value, however many times
 * `fn` changed it.
 *
 * @example
 * batch(() => {
 *   a.set(1)
 *   b.set(2)
 * }) // subscribers of a and b are called now, once each
 */
export function batch<R>(fn: () => R): R {
  batchDepth++
  try {
    return fn()
  } finally {
    batchDepth--
    if (!batchDepth && changedInBatch.length) flushBatch()
  }
}

/** Notifies the cells changed in the batch that ended; a subscriber that throws keeps no other cell from notifying. */
function flushBatch() {
  const changed = changedInBatch
  changedInBatch = []
  let failure: { error: unknown } | undefined
  for (const cell of changed) {
    try {
      cell.flush()
    } catch (error) {
      failure ??= { error }
    }
  }
  if (failure) throw failure.error
}

/**
 * A value with subscribers. Subclasses learn when the first subscriber
 * comes (`onWatched`) and the last goes (`onUnwatched`), the hooks a node
 * starts and stops syncing with.
 *
 * @example
 * const status = new Cell<'idle' | 'live'>('idle')
 * const stop = status.subscribe((value) => console.log(value)) // logs 'idle'
 * status.set('live') // logs 'live'
 */
export class Cell<T> implements ReadableAtom<T> {
  #value: T
  /** Changed inside a batch, not notified yet. */
  #queued = false
  // Replaced, never mutated: a notification iterates the list as it was.
  #listeners: readonly Listener<T>[] = []

  constructor(value: T) {
    this.#value = value
  }

  get(): T {
    return this.#value
  }

  get value(): T {
    return this.#value
  }

  /** nanostores' `computed()` compares inputs with `eq`. */
  eq(a: T, b: T): boolean {
    return Object.is(a, b)
  }

  /** Changes the value and tells the subscribers (after the batch, inside `batch()`). */
  set(next: T): void {
    if (Object.is(next, this.#value)) return
    this.#value = next
    announceChange()
    if (!batchDepth) this.notify()
    else if (!this.#queued) {
      this.#queued = true
      changedInBatch.push(this)
    }
  }

  /** The batch ended: notify once with the value now. */
  flush(): void {
    this.#queued = false
    this.notify()
  }

  /** Calls every subscriber with the value now. One that throws does not keep the others from theirs; the first error is rethrown after. */
  notify(): void {
    const value = this.#value
    let failure: { error: unknown } | undefined
    for (const listener of this.#listeners) {
      try {
        listener(value)
      } catch (error) {
        failure ??= { error }
      }
    }
    if (failure) throw failure.error
  }

  /** Calls `listener` at once and on every change (the Svelte store contract); returns what stops it. */
  subscribe(listener: Listener<T>): () => void {
    return this.#add(listener, true)
  }

  /** Calls `listener` on every change, not at once; returns what stops it. */
  listen(listener: Listener<T>): () => void {
    return this.#add(listener, false)
  }

  /** Subscriptions now (for `inspect()` of `reality/devtools`). */
  get subscribers(): number {
    return this.#listeners.length
  }

  #add(listener: Listener<T>, callNow: boolean): () => void {
    // What `onWatched` changes (a node that starts fetching shows `loading`)
    // is part of subscribing: the listener joins after it, so a subscriber's
    // first call has it and `listen` starts after it.
    if (!this.#listeners.length) this.onWatched()
    this.#listeners = [...this.#listeners, listener]
    if (callNow) listener(this.#value)
    let subscribed = true
    return () => {
      if (!subscribed) return
      subscribed = false
      // The same function subscribed twice is two subscriptions: remove one.
      const index = this.#listeners.indexOf(listener)
      this.#listeners = [...this.#listeners.slice(0, index), ...this.#listeners.slice(index + 1)]
      if (!this.#listeners.length) this.onUnwatched()
    }
  }

  /** The first subscriber came. */
  protected onWatched(): void {}

  /** The last subscriber left. */
  protected onUnwatched(): void {}
}
