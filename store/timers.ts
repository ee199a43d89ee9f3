/**
 * The timer layer. Every delay the store waits (grace, backoff, interval)
 * goes through it, so tests can inject fake timers and count live ones, and
 * hosts without `setTimeout` on the global object can bring their own.
 */

/** What the store needs from a timer API. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(id: unknown): void
}

/** A timer layer that also knows which of its timers are still pending. */
export interface TrackedTimers {
  /** Runs `callback` once after `ms`; returns a function that cancels it. */
  after(ms: number, callback: () => void): () => void
  /** How many timers are pending. */
  readonly size: number
  /** Cancels every pending timer. */
  clear(): void
}

/**
 * Wraps `timers` (default: the global ones) so the store owns and can count every timer.
 *
 * @example
 * const timers = trackTimers()
 * const cancel = timers.after(1000, () => console.log('later'))
 * timers.size // 1
 * cancel()
 */
export function trackTimers(timers: Timers = globalThis): TrackedTimers {
  // Called unbound: browsers refuse window.setTimeout with another `this`.
  const { setTimeout: set, clearTimeout: clear } = timers
  const live = new Set<() => void>()
  return {
    after(ms, callback) {
      const cancel = () => {
        live.delete(cancel)
        clear(id)
      }
      const id = set(() => {
        live.delete(cancel)
        callback()
      }, ms)
      live.add(cancel)
      return cancel
    },
    get size() {
      return live.size
    },
    clear: () => live.forEach((cancel) => cancel()),
  }
}
