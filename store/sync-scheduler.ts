import { signal } from '@preact/signals-core'
import type { SyncResponse } from '../protocol/types.js'
import { focusManager } from './managers/focus.js'
import { onlineManager } from './managers/online.js'
import { createStreamMode } from './stream-mode.js'
import { backoff, type TrackedTimers } from './timers.js'
import type { ConnectionStatus, StoreOptions, Transport } from './types.js'

/** What the scheduler needs from its store. */
export interface SchedulerOptions {
  transport: Transport
  live: NonNullable<StoreOptions['live']>
  wait: number
  interval: number
  timers: TrackedTimers
  /** `known` for the next request, built when it is sent (prototype-free object). */
  known(): Record<string, number | null>
  /** Applies an answer; `id` numbers requests in the order they were sent. */
  apply(response: SyncResponse, known: Record<string, number | null>, id: number): void
}

/**
 * The sync loop of one store (invariants 1 and 7).
 *
 * Everything that needs a check calls `schedule()`; checks asked for in the
 * same tick share ONE request, sent from a microtask. There is at most one
 * request in flight: a new check aborts it (a held long-poll would otherwise
 * keep waiting without the new keys) and the next request carries everything.
 * `known` leaves out keys whose fetch is running or backing off, or the
 * server would answer at once, forever.
 *
 * Status, precisely:
 * - `idle`: not running (no node), hidden while `live` is `'long-poll'` or
 *   `'interval'` (paused), or destroyed;
 * - `connecting`: a request is out and none has succeeded since the store
 *   started, came back online or became visible;
 * - `live`: the last request succeeded;
 * - `reconnecting`: the last request failed in a way a retry can fix
 *   (network, 408, 429, 5xx); a retry with backoff is scheduled;
 * - `error`: the last request failed in a way a retry will not fix (other
 *   4xx, an answer that is not protocol v1); nothing is retried until the
 *   next trigger (focus, online, new key, mutation, `store.sync()`);
 * - `offline`: the online manager says offline; nothing is sent.
 *
 * @example
 * const scheduler = createScheduler({ transport, live: 'long-poll', wait: 25_000, interval: 5000, timers, known, apply })
 * scheduler.start()
 * scheduler.schedule()
 */
export function createScheduler(o: SchedulerOptions) {
  const status = signal<ConnectionStatus>('idle')
  let running = false
  let queued = false
  let controller: AbortController | undefined
  let cancelTimer: (() => void) | undefined
  let attempt = 0
  let id = 0
  let waiters: ((error?: unknown) => void)[] = []
  let detach: (() => void)[] = []
  const visible = () => focusManager.get()
  const stream = o.live === 'stream' ? createStreamMode(o.transport, o.timers) : undefined
  // `live: 'stream'` long-polls once it fell back (a proxy that buffers).
  const longPolling = () => o.live === 'long-poll' || (stream && !stream.active())
  const streaming = () => stream?.active() && visible()
  const wake = (ms: number) => (cancelTimer = o.timers.after(ms, () => ((cancelTimer = undefined), schedule())))
  const pause = (next: ConnectionStatus) => {
    controller = void controller?.abort()
    cancelTimer = void cancelTimer?.()
    status.value = next
  }
  const settle = (list: typeof waiters, error?: unknown) => list.forEach((resolve) => resolve(error))

  /** Checks soon. `urgent` also cuts a failure backoff short (focus, online, manual, mutation). */
  function schedule(urgent?: boolean) {
    if (!running || (!urgent && attempt && cancelTimer)) return
    if (urgent) attempt = 0
    cancelTimer = void cancelTimer?.()
    // An open stream stays open unless the next flush finds it must change.
    if (urgent || !streaming()) controller = void controller?.abort()
    if (!queued) {
      queued = true
      queueMicrotask(flush)
    }
  }

  async function flush() {
    queued = false
    const known = o.known()
    if (!running || !onlineManager.get() || !Object.keys(known).length) {
      if (running && !onlineManager.get()) status.value = 'offline'
      return settle(waiters.splice(0))
    }
    if (streaming()) {
      if (controller && stream!.covers(known)) return
      controller?.abort()
      return openStream(known)
    }
    const c = (controller = new AbortController())
    const mine = waiters.splice(0)
    const sent = ++id
    // The first request after (re)connecting is a quick check, so `live`
    // means "the server answered", not "a request is out" for up to `wait` ms.
    const poll = longPolling() && visible()
    const hold = poll && status.peek() === 'live'
    const started = Date.now()
    if (status.peek() === 'idle' || status.peek() === 'offline') status.value = 'connecting'
    try {
      const response = await o.transport.sync({ v: 1, known, wait: hold ? o.wait : undefined }, c.signal)
      if (c !== controller) throw c
      controller = undefined
      attempt = 0
      status.value = visible() || o.live === 'events' ? 'live' : 'idle'
      o.apply(response, known, sent)
      settle(mine)
      // A server (or proxy) that does not hold requests would make the loop
      // spin: an empty answer that came back within a second waits for the
      // rest of it. Any change re-polls at once (payloads need no fetch).
      if (poll) !hold || Object.keys(response.changed).length || Date.now() - started > 999 ? schedule() : wake(1000)
      else if (o.live === 'interval' && visible()) wake(o.interval)
    } catch (error) {
      failed(c, mine, error)
    }
  }

  /** A request failed: retry with backoff (network, 408, 429, 5xx) or wait for a trigger. */
  function failed(c: AbortController, mine: typeof waiters, error: any) {
    if (c !== controller) return queued ? waiters.push(...mine) : settle(mine)
    controller = undefined
    const status_ = error?.status
    const retry = error?.code !== 'protocol_mismatch' && (!status_ || status_ > 499 || status_ === 408 || status_ === 429)
    status.value = retry ? 'reconnecting' : 'error'
    settle(mine, error)
    if (retry) wake(backoff(++attempt, error?.retryAfter))
    else attempt = 1
  }

  /** `live: 'stream'`: one request whose answers arrive as lines, each applied like a sync answer. */
  async function openStream(known: Record<string, number | null>) {
    const c = (controller = new AbortController())
    const mine = waiters.splice(0)
    const sent = ++id
    const started = Date.now()
    if (status.peek() === 'idle' || status.peek() === 'offline') status.value = 'connecting'
    try {
      const outcome = await stream!.run(known, c.signal, (response) => {
        if (c !== controller) return
        attempt = 0
        status.value = 'live'
        o.apply(response, known, sent)
        settle(mine.splice(0))
      })
      if (c !== controller) return settle(mine)
      controller = undefined
      settle(mine)
      // Reopen when the server ends the stream; one that ended within a
      // second (a proxy cutting it short) waits out the rest of that second.
      outcome === 'fallback' || Date.now() - started > 999 ? schedule() : wake(1000)
    } catch (error) {
      failed(c, mine, error)
    }
  }

  return {
    status,
    schedule,
    /** A key can be watched again: only a held long-poll needs replacing for that. */
    rejoin: () => (longPolling() || streaming()) && visible() && schedule(),
    /** Syncs now and resolves when the answer is applied (rejects with the sync error). */
    sync: () =>
      new Promise<void>((resolve, reject) => {
        waiters.push((error) => (error ? reject(error) : resolve()))
        if (running) schedule(true)
        else settle(waiters.splice(0))
      }),
    /** The id of the last request sent. */
    id: () => id,
    get requests() {
      return controller ? 1 : 0
    },
    start() {
      if (running) return
      running = true
      detach = [
        focusManager.subscribe((shown) => (shown ? schedule(true) : o.live !== 'events' && pause('idle'))),
        onlineManager.subscribe((online) => (online ? schedule(true) : pause('offline'))),
      ]
    },
    stop() {
      running = false
      pause('idle')
      controller = void controller?.abort()
      detach.forEach((off) => off())
      detach = []
      settle(waiters.splice(0))
    },
  }
}
