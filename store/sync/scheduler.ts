import type { SyncResponse } from '../../protocol/types.js'
import { Cell } from '../cell.js'
import { RealityError } from '../errors.js'
import { focusManager } from '../managers/focus.js'
import { onlineManager } from '../managers/online.js'
import type { TrackedTimers } from '../timers.js'
import type { ConnectionStatus, StoreOptions, SyncRecord, Transport } from '../types.js'
import { errorRetryDelay, isRetryable, retryDelay } from './retry-policy.js'
import { DEFAULT_LIMITS, splitKnown, type RequestLimits } from './split-known.js'

type Known = Record<string, number | null>

/** What the scheduler needs from its store. */
export interface SchedulerHost {
  transport: Transport
  live: NonNullable<StoreOptions['live']>
  wait: number
  interval: number
  /** ms a request may take beyond the wait it asked for. */
  timeout: number
  timers: TrackedTimers
  /** `known` for the next request: watched keys not backing off, a fetching key with the version its fetch labels (prototype-free object). */
  known(): Known
  /** Applies the answer to one request. */
  apply(response: SyncResponse): void
  /** Told about every request once it settled (store.onSync). */
  record(record: SyncRecord): void
}

/** Someone waiting for an answer covering every key: `store.sync()`, a settled mutation. */
interface Waiter {
  resolve(): void
  reject(error: unknown): void
}

/**
 * One sync request: its keys (sent as one or more HTTP requests that fit
 * the server's limits, all under one controller and one deadline), whether
 * the server is asked to hold it, and who waits for its answer.
 */
interface SyncRequest {
  id: number
  held: boolean
  waiters: Waiter[]
  controller: AbortController
  /** Cancels the deadline, or once a held part answered with a change, the wait for the other parts. */
  cancelDeadline: () => void
  /** HTTP requests of this sync request still out. */
  outstanding: number
  /** An answer reported a change. */
  changed: boolean
  /** A held request got a change and ends: a new check rides the next request instead of aborting this one. */
  settling: boolean
  timedOut: boolean
  startedAt: number
}

/** The first request of a freshly started store waits this long (a frame), so keys from scripts that run back to back share it (one bundle per `<script>`). */
export const FIRST_REQUEST_DELAY = 16
/** How long the other held parts of a split request may take to answer after one answered with a change (see `waitForOtherParts`). */
export const SIBLING_ANSWER_MS = 100

/**
 * The sync loop of one store (ARCHITECTURE.md C1 and C7).
 *
 * Everything that needs a check calls `schedule()`; checks asked for in the
 * same tick share one request, sent from a microtask (the very first one
 * waits a frame). The request in flight is an object of its own: a held
 * long-poll is replaced when keys join (aborted, its waiters handed to the
 * next request synchronously, so `store.sync()` never resolves on an answer
 * that did not cover its keys); a quick request is never aborted for new
 * keys: they ride the next one. Whoever waits for an answer (`sync()`, a
 * settled mutation) gets a quick request, not a held one.
 *
 * After an answer the poll is re-armed at once: a key whose fetch is in
 * flight goes in with the version that fetch labels its data with (see
 * `Node.known()`), so a change of N keys costs one new request however long
 * the N fetches take, and only a key whose entry then changes (a failed
 * fetch) re-sends it (`rejoin()`).
 *
 * Every request has a deadline (`wait` + `timeout`); failures back off (see
 * retry-policy.ts); a server's `Retry-After` is not skipped by urgent
 * triggers; from `error` the loop retries by itself about every 60 s.
 * `known` larger than the server's limits goes out in several requests, at
 * most two of them held (more than two parts are checked every `interval`).
 *
 * @example
 * const scheduler = createScheduler(host)
 * scheduler.start()
 * scheduler.schedule()
 */
export function createScheduler(host: SchedulerHost) {
  const status = new Cell<ConnectionStatus>('idle')
  const limits: RequestLimits = { ...DEFAULT_LIMITS }
  let running = false
  let current: SyncRequest | undefined
  /** Waiters for the next request. */
  let waiting: Waiter[] = []
  /** A check was asked for while a quick request was out: send another after it. */
  let again = false
  let flushQueued = false
  let firstRequest = true
  let cancelFirstDelay: (() => void) | undefined
  let cancelWake: (() => void) | undefined
  /** Failures in a row (0 while healthy). */
  let attempt = 0
  /** Date.now() before which a server's Retry-After forbids requests. */
  let retryAfterUntil = 0
  let lastId = 0
  let warnedAboutLimits = false
  let detachManagers: (() => void)[] = []
  const visible = () => focusManager.get()
  const polling = () => host.live === 'long-poll' && visible()

  function cancelTimer(cancel: (() => void) | undefined) {
    if (cancel) cancel()
    return undefined
  }

  function wake(ms: number) {
    cancelWake = cancelTimer(cancelWake)
    cancelWake = host.timers.after(ms, () => {
      cancelWake = undefined
      check()
    })
  }

  /** Aborts the request in flight; its waiters go to the next one. */
  function abortCurrent() {
    const request = current
    if (!request) return
    current = undefined
    request.cancelDeadline()
    waiting.unshift(...request.waiters)
    request.controller.abort()
  }

  /**
   * Checks soon. `urgent` (focus, online, `sync()`, a mutation) also cuts a
   * failure backoff short, but never a server's `Retry-After`.
   */
  function schedule(urgent?: boolean) {
    if (!running) return
    if (urgent) {
      if (Date.now() < retryAfterUntil && cancelWake) return
      attempt = 0
      cancelWake = cancelTimer(cancelWake)
    } else if (attempt && cancelWake && status.get() !== 'error') {
      return // backing off after a failure: the wake-up carries this check
    }
    check()
  }

  function check() {
    if (current && (!current.held || current.settling)) {
      again = true
      return
    }
    abortCurrent()
    cancelWake = cancelTimer(cancelWake)
    if (flushQueued) return
    flushQueued = true
    if (firstRequest) {
      firstRequest = false
      cancelFirstDelay = host.timers.after(FIRST_REQUEST_DELAY, flush)
    } else queueMicrotask(flush)
  }

  function flush() {
    flushQueued = false
    cancelFirstDelay = undefined
    if (!running) return
    if (current) return
    const online = onlineManager.get()
    const known = online ? host.known() : {}
    const waiters = waiting.splice(0)
    const parts = splitKnown(known, limits)
    if (!parts.length) {
      if (running && !online) status.set('offline')
      waiters.forEach((waiter) => waiter.resolve())
      return
    }
    if (parts.length > 2) warnAboutLimits(Object.keys(known).length)
    // The first request after (re)connecting is a quick check, so `live`
    // means "the server answered", not "a request is out" for up to `wait`.
    const held = polling() && status.get() === 'live' && !waiters.length && parts.length <= 2
    const controller = new AbortController()
    const request: SyncRequest = {
      id: ++lastId,
      held,
      waiters,
      controller,
      outstanding: parts.length,
      changed: false,
      settling: false,
      timedOut: false,
      startedAt: Date.now(),
      cancelDeadline: host.timers.after((held ? host.wait : 0) + host.timeout, () => {
        request.timedOut = true
        controller.abort()
      }),
    }
    current = request
    again = false
    if (status.get() === 'idle' || status.get() === 'offline') status.set('connecting')
    for (const part of parts) void send(request, part)
  }

  async function send(request: SyncRequest, part: Known) {
    const startedAt = Date.now()
    const keys = Object.keys(part)
    try {
      const response = await host.transport.sync({ v: 1, known: part, wait: request.held ? host.wait : undefined }, request.controller.signal)
      if (request !== current) return // replaced or stopped: the answer is not applied
      const changed = Object.keys(response.changed)
      // A held request with a change ends (see `waitForOtherParts`): checks
      // asked for from here on (a fetch the answer starts) ride the next one.
      const ends = request.held && changed.length > 0 && !request.settling
      if (changed.length) request.changed = true
      if (ends) request.settling = true
      host.apply(response)
      host.record({ id: request.id, keys, held: request.held, changed, denied: response.denied ?? [], startedAt, duration: Date.now() - startedAt })
      if (--request.outstanding === 0) succeed(request)
      else if (ends) waitForOtherParts(request)
    } catch (caught) {
      if (request !== current) return
      const error = request.timedOut
        ? new RealityError('sync_failed', `No sync answer within ${(request.held ? host.wait : 0) + host.timeout} ms (timeout): retrying`)
        : (caught as RealityError)
      host.record({ id: request.id, keys, held: request.held, changed: [], denied: [], startedAt, duration: Date.now() - startedAt, error: String(error?.message ?? error) })
      if (keys.length > 1 && (error?.status === 413 || error?.serverCode === 'too_many_keys')) return shrinkLimits(request, keys.length, error)
      fail(request, error)
    }
  }

  /**
   * A part of a split held request answered with a change, so the request
   * ends. The other parts, woken by the same write more often than not, get
   * `SIBLING_ANSWER_MS` from now (after the answer was applied, however long
   * that took) to answer too: their changes then ride this request, not one
   * more. Parts still held after that are released.
   */
  function waitForOtherParts(request: SyncRequest) {
    request.cancelDeadline()
    request.cancelDeadline = host.timers.after(SIBLING_ANSWER_MS, () => {
      if (request === current) succeed(request)
    })
  }

  function succeed(request: SyncRequest) {
    current = undefined
    request.cancelDeadline()
    if (request.outstanding > 0) request.controller.abort() // releases parts still held
    attempt = 0
    retryAfterUntil = 0
    status.set(visible() || host.live === 'events' ? 'live' : 'idle')
    request.waiters.forEach((waiter) => waiter.resolve())
    if (polling()) {
      // A server (or proxy) that does not hold would make the loop spin: an
      // empty answer within a second waits for the rest of it.
      if (request.held && !request.changed && Date.now() - request.startedAt < 1000) wake(1000)
      else check()
    } else if (waiting.length || again) check()
    else if (host.live === 'interval' && visible()) wake(host.interval)
  }

  function fail(request: SyncRequest, error: RealityError) {
    current = undefined
    request.cancelDeadline()
    if (request.outstanding > 1) request.controller.abort() // releases the other parts
    const retryable = isRetryable(error)
    status.set(retryable ? 'reconnecting' : 'error')
    request.waiters.forEach((waiter) => waiter.reject(error))
    attempt++
    if (error?.retryAfter !== undefined) {
      const delay = retryDelay(attempt, error.retryAfter)
      retryAfterUntil = Date.now() + delay
      wake(delay)
    } else wake(retryable ? retryDelay(attempt) : errorRetryDelay())
  }

  /** The server refused the size of a request: halve the limits and send again at once. */
  function shrinkLimits(request: SyncRequest, keys: number, error: RealityError) {
    if (error.status === 413) limits.maxBytes = Math.max(1024, limits.maxBytes >> 1)
    limits.maxKeys = Math.max(1, Math.min(limits.maxKeys, keys >> 1))
    warnAboutLimits(keys)
    abortCurrent()
    check()
  }

  /** Once per store: the keys watched exceed one request's limits (the server's, or ours below them). */
  function warnAboutLimits(keys: number) {
    if (warnedAboutLimits) return
    warnedAboutLimits = true
    console.warn(`reality: ${keys} keys exceed the sync request limit (${limits.maxKeys} keys, ${limits.maxBytes} bytes): split into several requests; beyond 2, checked every ${host.interval} ms`)
  }

  function pause(next: ConnectionStatus) {
    abortCurrent()
    cancelWake = cancelTimer(cancelWake)
    status.set(next)
    if (waiting.length) check()
  }

  return {
    status,
    schedule,
    /**
     * A key's `known` entry changed outside an answer (its fetch failed, its
     * backoff ended): the held long-poll is re-sent with it. Keys that change
     * in one tick share the new request.
     */
    rejoin() {
      if (polling()) schedule()
    },
    /** Syncs now (past a failure backoff, not past Retry-After); resolves once an answer covering every watched key was applied, rejects with the sync error. */
    sync: () =>
      new Promise<void>((resolve, reject) => {
        if (!running) return resolve()
        waiting.push({ resolve, reject })
        schedule(true)
      }),
    /** HTTP requests in flight. */
    get requests() {
      return current ? current.outstanding : 0
    },
    start() {
      if (running) return
      running = true
      firstRequest = true
      detachManagers = [
        focusManager.subscribe((shown) => {
          if (shown) schedule(true)
          else if (host.live !== 'events') pause('idle')
        }),
        onlineManager.subscribe((online) => {
          if (online) schedule(true)
          else pause('offline')
        }),
      ]
    },
    stop() {
      running = false
      abortCurrent()
      cancelWake = cancelTimer(cancelWake)
      cancelFirstDelay = cancelTimer(cancelFirstDelay)
      flushQueued = false
      again = false
      status.set('idle')
      detachManagers.forEach((detach) => detach())
      detachManagers = []
      waiting.splice(0).forEach((waiter) => waiter.resolve())
    },
  }
}
