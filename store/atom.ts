import type { ReadonlySignal } from '@preact/signals-core'
import type { ReadableAtom } from './types.js'

/**
 * A signal seen as a nanostores-style readable atom: `get()` (and `value`,
 * as nanostores atoms have it) reads without tracking, `subscribe()` calls at once (the Svelte store contract),
 * `listen()` only on changes.
 *
 * @example
 * const status = readable(statusSignal)
 * status.subscribe((value) => console.log(value))
 */
export function readable<T>(signal: ReadonlySignal<T>): ReadableAtom<T> {
  return {
    signal,
    get value() {
      return signal.peek()
    },
    get: () => signal.peek(),
    subscribe: (cb) => signal.subscribe(cb),
    listen(cb) {
      let first = true
      return signal.subscribe((value) => (first ? (first = false) : cb(value)))
    },
  }
}
