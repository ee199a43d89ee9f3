import type { ReadonlySignal } from '@preact/signals-core'
import type { ReadableAtom } from './types.js'

/**
 * Turns a signal into a nanostores-style readable atom, in place: a
 * signals-core signal already has `subscribe()` (calls at once: the Svelte
 * store contract) and `value` (what nanostores' `useStore` reads); this adds
 * `get()` (reads without tracking), `listen()` (changes only) and `signal`.
 *
 * @example
 * const status = readable(statusSignal)
 * status.listen((value) => console.log(value))
 */
export function readable<T>(signal: ReadonlySignal<T>): ReadableAtom<T> {
  return Object.assign(signal, {
    signal,
    get: () => signal.peek(),
    listen(cb: (value: T) => void) {
      let first = true
      return signal.subscribe((value) => (first ? (first = false) : cb(value)))
    },
  })
}
