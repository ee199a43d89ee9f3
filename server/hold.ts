import type { DeadlineWheel, Expiring } from './deadlines.js'
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
  /** Deadlines armed right now (entries of the server's deadline wheel). */
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
 * One held long-poll: a deadline in the server's {@link DeadlineWheel}, a
 * listener on the client's signal, and a wake flag set by the registry.
 * (Server close reaches every hold through the deadline wheel, not
 * through a shared AbortSignal: ten thousand listeners on one signal make
 * each removal O(n).) A wake that arrives while the handler is still
 * reading is remembered, so no wake-up is lost between "read" and "wait".
 * {@link release} removes everything it armed; the handler calls it in a
 * `finally`. What it watches lives in the registry's shared groups, not here.
 *
 * @example
 * const hold = new Hold(25_000, request.signal, counters, wheel)
 * try { await hold.next() } finally { hold.release() }
 */
export class Hold implements Waiter, Expiring {
  private woken = false
  private ended: HoldOutcome | undefined
  private resolve: ((outcome: HoldOutcome) => void) | undefined
  private interrupt: ((outcome: HoldOutcome) => void) | undefined
  private slot: number | undefined
  private released = false

  constructor(
    waitMs: number,
    private readonly signal: AbortSignal,
    private readonly counters: HoldCounters,
    private readonly deadlines: DeadlineWheel<Hold>,
  ) {
    counters.held++
    this.slot = deadlines.add(this, waitMs)
    counters.timers++
    // `this` as the listener object (handleEvent): no closure per held request.
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
    // Resolved with the outcome by settle(): one promise per wait, no extra `then` layer.
    return new Promise<HoldOutcome>((resolve) => (this.resolve = resolve))
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

  /** Disarms the deadline and listeners. Idempotent. */
  release(): void {
    if (this.released) return
    this.released = true
    this.counters.held--
    if (this.slot !== undefined) {
      this.deadlines.remove(this, this.slot)
      this.slot = undefined
      this.counters.timers--
    }
    this.signal.removeEventListener('abort', this)
    this.counters.abortListeners--
  }

  /** The client's signal aborted (EventListener object interface). */
  handleEvent(): void {
    this.end('abort')
  }

  /** The wait elapsed (called by the deadline wheel, which already dropped it). */
  expire(): void {
    if (this.slot === undefined) return
    this.slot = undefined
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
    if (!resolve) return // remembered in woken/ended for the next next()
    this.resolve = undefined
    resolve(this.outcome())
  }
}
