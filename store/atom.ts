import type { ReadonlySignal } from '@preact/signals-core'
import type { ReadableAtom } from './types.js'

/**
 * Turns a signal into a nanostores-style readable atom: `get()` (reads
 * without tracking), `value`, `subscribe()` (calls at once: the Svelte store
 * contract), `listen()` (changes only), `eq` (read by nanostores'
 * `computed()`) and `signal`. Whoever writes the signal moves nanostores'
 * epoch (see node/nanostores-epoch.ts).
 *
 * @example
 * const status = readable(statusSignal)
 * status.listen((value) => console.log(value))
 */
export function readable<T>(signal: ReadonlySignal<T>): ReadableAtom<T> {
  const get = () => signal.peek()
  return {
    signal,
    get,
    get value() {
      return get()
    },
    eq: Object.is,
    subscribe: (callback) => signal.subscribe(callback),
    listen(callback) {
      let first = true
      return signal.subscribe((value) => {
        if (first) first = false
        else callback(value)
      })
    },
  }
}
