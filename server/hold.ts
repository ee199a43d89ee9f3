import type { Waiter } from './waiters.js'

/**
 * Live resources of held requests, for diagnostics and leak tests.
 *
 * @example
 * const counters: HoldCounters = { held: 0, timers: 0, abortListeners: 0 }
 */
export interface HoldCounters {
  /** Requests being held right now. */
  held: number
  /** Wait timers armed right now. */
  timers: number
  /** Abort listeners attached right now (one per held request, on the client's signal). */
  abortListeners: number
}

/**
 * Why a hold step ended.
 *
 * @example
 * if ((await hold.next()) !== 'wake') return empty
 */
export type HoldOutcome = 'wake' | 'timeout' | 'abort'

/**
 * One held long-poll: a deadline timer, a listener on the client's signal,
 * and a wake flag set by the registry. (Server close reaches every hold
 * through the server's set of holds, not through a shared AbortSignal: ten
 * thousand listeners on one signal make each removal O(n).) A wake
 * that arrives while the handler is still reading is remembered, so no
 * wake-up is lost between "read" and "wait". {@link release} removes
 * everything it armed; the handler calls it in a `finally`.
 *
 * @example
 * const hold = new Hold(['a'], { a: 3 }, 25_000, request.signal, counters)
 * try { await hold.next() } finally { hold.release() }
 */
export class Hold implements Waiter {
  private woken = false
  private ended: HoldOutcome | undefined
  private resolve: (() => void) | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private released = false
  private interrupt: ((outcome: HoldOutcome) => void) | undefined

  constructor(
    readonly keys: readonly string[],
    readonly known: Readonly<Record<string, number | null>>,
    waitMs: number,
    private readonly signal: AbortSignal,
    private readonly counters: HoldCounters,
  ) {
    counters.held++
    // A module function with an argument and `this` as the listener object
    // (handleEvent): no closure per held request.
    this.timer = setTimeout(onDeadline, waitMs, this)
    counters.timers++
    signal.addEventListener('abort', this, { once: true })
    counters.abortListeners++
    if (signal.aborted) this.end('abort')
  }

  /** Called by the registry when a watched key changed to a version the client does not hold. */
  wake(): void {
    this.woken = true
    this.settle()
  }

  /** Resolves at the next wake, the deadline, or an abort (whichever comes first). */
  next(): Promise<HoldOutcome> {
    if (this.woken || this.ended !== undefined) return Promise.resolve(this.outcome())
    return new Promise<void>((resolve) => (this.resolve = resolve)).then(() => this.outcome())
  }

  /**
   * Resolves with `work`'s result, or with the outcome if the hold ends
   * first (abort, deadline, server close): a client that leaves while the
   * version store is still subscribing or reading is released at once,
   * not when the store answers. `work` must not reject unhandled: the
   * caller attaches its own handling.
   */
  whileHeld<T>(work: Promise<T>): Promise<T | HoldOutcome> {
    if (this.ended !== undefined) return Promise.resolve(this.ended)
    return new Promise<T | HoldOutcome>((resolve, reject) => {
      this.interrupt = resolve
      work.then(resolve, reject).finally(() => {
        if (this.interrupt === resolve) this.interrupt = undefined
      })
    })
  }

  private outcome(): HoldOutcome {
    if (this.ended !== undefined) return this.ended
    this.woken = false
    return 'wake'
  }

  /** Disarms the timer and listeners. Idempotent. */
  release(): void {
    if (this.released) return
    this.released = true
    this.counters.held--
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
      this.counters.timers--
    }
    this.signal.removeEventListener('abort', this)
    this.counters.abortListeners--
  }

  /** The client's signal aborted (EventListener object interface). */
  handleEvent(): void {
    this.end('abort')
  }

  /** The wait elapsed. */
  expire(): void {
    this.timer = undefined
    this.counters.timers--
    this.end('timeout')
  }

  /** Ends the hold as if the client went away (server close). */
  cancel(): void {
    this.end('abort')
  }

  private end(outcome: HoldOutcome): void {
    this.ended ??= outcome
    this.interrupt?.(this.ended)
    this.settle()
  }

  private settle(): void {
    const resolve = this.resolve
    this.resolve = undefined
    resolve?.()
  }
}

function onDeadline(hold: Hold): void {
  hold.expire()
}
