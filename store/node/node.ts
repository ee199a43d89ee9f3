import type { ChangedEntry } from '../../protocol/types.js'
import { Cell } from '../cell.js'
import { RealityError } from '../errors.js'
import { backoffDelay } from '../sync/retry-policy.js'
import type { TrackedTimers } from '../timers.js'
import type { HeldEntry, NodeInspection, NodeOptions, NodeState, NodeStatus, StoreOptions, Updater } from '../types.js'
import { validate } from '../validate.js'

/** What a node needs from its store. */
export interface NodeHost {
  timers: TrackedTimers
  grace: number
  cacheTime: number
  fetchTimeout: number
  fetchThrough: StoreOptions['fetchThrough']
  /** The node became watched: its key joins `known`. */
  watched(node: Node): void
  /** The node became cached (unwatched, data kept) or was created unwatched. */
  cached(node: Node): void
  /** The node is gone: forget it. */
  gone(node: Node): void
  fetchStarted(): void
  fetchSettled(): void
  /** The key's `known` entry changed outside an answer (a fetch failed, a backoff ended): re-send the poll. */
  rejoin(): void
}

/** Where a node is in its life (ARCHITECTURE.md C6). */
export type Lifecycle = 'watched' | 'cached' | 'gone'

/** The state of every node before its first data or error: one shared object, so creating a node allocates none. */
const INITIAL_STATE: NodeState<any> = Object.freeze({ data: undefined, version: null, status: 'idle', error: undefined, isLoading: true })
const NONE: readonly never[] = Object.freeze([])

/**
 * A key's node: the data held and the version it is labelled with, the
 * highest version reported, its lifecycle and its fetch cycle. The node is
 * itself the cell of its key's state (handles subscribe to it directly),
 * and a class whose lifecycle hooks are shared: subscribing 10,000 keys
 * allocates 10,000 objects, not 30 closures each.
 *
 * Lifecycle (ARCHITECTURE.md C6): created *cached* (by `store.node()`,
 * `get()` or hydration); *watched* from the first subscriber of its state
 * until `grace` ms after the last; then *cached* again: data, version and
 * hash kept for `cacheTime`, out of `known`, no fetch; then *gone*. A
 * cached node that is watched again sends its version: unchanged costs no
 * fetch, changed costs one.
 *
 * Fetch cycle: idle → fetching → idle, or → backing off after a failure
 * (jittered, growing) → idle. A node fetches only while watched, when a
 * version above the one held was reported (or `refetch()` asked).
 *
 * Version fence (ARCHITECTURE.md C2), all in `adopt()` and `fetchNow()`: a
 * fetch targets the version seen when it starts and labels its data with
 * that version, never with one seen later (a fetch may return newer data
 * than its target, so a later label could skip a write). Versions reported
 * meanwhile only raise `seen`, so it fetches again once it settles. A result
 * is dropped if other data (payload, hash, hydration) was adopted while it
 * ran, unless its target is higher. A failure keeps data and version.
 *
 * Hash (ARCHITECTURE.md C3): only a matching hash of the data actually held
 * skips a refetch. Payload data is exactly its version, so it gets that
 * version's hash; fetched data may be newer than its target, so it gets a
 * hash only from the app's own `hash(data)` (a reported hash could label a
 * newer result as older: A → B → A would then keep B on screen).
 *
 * Payloads are adopted only over no data or exact data (payload, snapshot,
 * hash match): fetched data may already contain writes not yet reported.
 *
 * @example
 * const node = new Node('user:42', { fetcher }, host)
 * const stop = node.subscribe(render) // watched
 * node.report({ version: 7 }) // fetches, then holds the data labelled 7
 */
export class Node<T = any> extends Cell<NodeState<T>> {
  readonly key: string
  readonly #options: NodeOptions<T>
  readonly #host: NodeHost
  #data: T | undefined
  #version: number | null = null
  #status: NodeStatus = 'idle'
  #error: Error | undefined
  /** The data held is exactly its version's (none, payload, snapshot, hash match), not fetched data that may be newer. */
  #exact = true
  #dataHash: string | undefined
  /** Highest version reported by the server. */
  #seen = -1
  /** Bumped whenever data is adopted: a fetch that started before sees it. */
  #generation = 0
  #layers: readonly { update: Updater<T> }[] = NONE
  #lifecycle: Lifecycle = 'cached'
  #fetchController: AbortController | undefined
  /** The version the fetch in flight labels its data with (-1: none reported yet). */
  #fetchTarget = -1
  /** This key's entry in the last request composed (`known()`). */
  #sentKnown: number | null | undefined
  #cancelBackoff: (() => void) | undefined
  #failures = 0
  #forced = false
  #lastFetchAt: number | undefined
  // Replaced, never mutated, so a node starts with the shared empty list.
  #refetchWaiters: readonly (() => void)[] = NONE
  #idleWaiters: readonly (() => void)[] = NONE
  #cancelLifecycleTimer: (() => void) | undefined

  constructor(key: string, options: NodeOptions<T>, host: NodeHost) {
    super(INITIAL_STATE)
    this.key = key
    this.#options = options
    this.#host = host
  }

  isGone() {
    return this.#lifecycle === 'gone'
  }

  /** Starts the cache clock of a node created unwatched. */
  startCached() {
    this.#host.cached(this)
    this.#cancelLifecycleTimer = this.#host.timers.after(this.#host.cacheTime, () => this.drop())
  }

  /**
   * What `known` carries for this key (ARCHITECTURE.md C2), or `undefined`
   * to leave it out (not watched, backing off); the scheduler calls it when
   * it composes a request. While a fetch runs: the version that fetch labels
   * its data with, so the poll is re-armed at once after an answer and a
   * fetch that succeeds leaves it as it is. A fetch that fails (or is
   * overtaken) changes the entry, and the poll is re-sent (`#rejoinIfChanged`).
   */
  known(): number | null | undefined {
    this.#sentKnown = this.#currentKnown()
    return this.#sentKnown
  }

  /** Applies one `changed` entry of a sync answer. */
  report(entry: ChangedEntry) {
    const reported = entry.version
    const heldVersion = this.#held()
    if (reported < heldVersion) {
      // The version store forgot its versions (contract broken, e.g. a
      // non-durable store restarted): relabel from a fresh fetch.
      this.#exact = false
      this.#version = null
      this.#seen = reported
      this.#publish()
      this.#maybeFetch()
    } else if (reported > heldVersion) {
      if (heldVersion >= 0 && entry.hash !== undefined && entry.hash === this.#dataHash) this.#adopt(reported, this.#data as T, this.#dataHash, true)
      else if ('payload' in entry && this.#exact) this.#adoptPayload(reported, entry.payload, entry.hash)
      else this.#see(reported)
    }
  }

  /** Adopts a snapshot entry newer than the data held. */
  hydrate(entry: HeldEntry) {
    if (entry.version <= this.#held()) return
    // A snapshot entry is the data at its version (the dehydrate/hydrate
    // contract), so later payloads apply over it.
    if (this.#exact) this.#adopt(entry.version, entry.data as T, entry.hash, true)
    else this.#see(entry.version)
  }

  /** The data held, for `dehydrate()`. */
  entry(): HeldEntry | undefined {
    return this.#version === null ? undefined : { data: this.#data, version: this.#version, hash: this.#dataHash }
  }

  /** The server refused the key: an error, and the key is asked for again after a backoff (like a failed fetch). */
  deny() {
    this.#fail(new RealityError('denied', `Server denied "${this.key}": sign in, then store.sync()`, { key: this.key }))
    this.#startBackoff()
  }

  /** Cuts a backoff short (after a denial or a failed fetch): `store.sync()`, mutations. */
  retry() {
    if (!this.#cancelBackoff) return
    this.#endBackoff()
    this.#maybeFetch()
    this.#rejoinIfChanged()
  }

  /** Fetches whatever the version: now, after the fetch in flight, or cutting a backoff short. */
  refetch() {
    return new Promise<void>((resolve) => {
      this.#refetchWaiters = [...this.#refetchWaiters, resolve]
      this.#forced = true
      this.#endBackoff()
      if (this.#fetchController) return
      if (this.#lifecycle === 'watched') {
        this.#maybeFetch()
        this.#rejoinIfChanged()
      } else void this.#fetchNow() // an unwatched handle's refetch() still fetches, once
    })
  }

  /** Resolves once no fetch is running or due for this key. */
  whenIdle() {
    return new Promise<void>((resolve) => {
      this.#idleWaiters = [...this.#idleWaiters, resolve]
      this.#settleIdleWaiters()
    })
  }

  /** Adds an optimistic layer on top of the data (mutation start order). */
  addLayer(update: Updater<T>) {
    const layer = { update }
    this.#layers = [...this.#layers, layer]
    this.#publish()
    return () => {
      this.#layers = this.#layers.filter((other) => other !== layer)
      this.#publish()
    }
  }

  /** Where the node stands, for `inspect()` of `reality/devtools`. */
  inspect(): NodeInspection {
    return {
      key: this.key,
      version: this.#version,
      status: this.#status,
      subscribers: this.subscribers,
      state: this.#lifecycle === 'watched' ? 'watched' : 'cached',
      fetching: !!this.#fetchController,
      lastFetchAt: this.#lastFetchAt,
      error: this.#error?.message,
    }
  }

  /** Forgets the node: no fetch, no timer; a handle reading it finds or creates the key's new node. */
  drop() {
    if (this.#lifecycle === 'gone') return
    this.#lifecycle = 'gone'
    this.stop()
    // A new state object: handles' computeds over this node re-run and find the key's new node.
    this.#publish()
    this.#host.gone(this)
  }

  /** `store.destroy()`: aborts the fetch and clears its timers, keeping the state readable. */
  stop() {
    if (this.#cancelLifecycleTimer) this.#cancelLifecycleTimer()
    this.#cancelLifecycleTimer = undefined
    this.#stopFetching()
  }

  #held() {
    return this.#version ?? -1
  }

  #currentKnown(): number | null | undefined {
    if (this.#lifecycle !== 'watched' || this.#cancelBackoff) return undefined
    if (!this.#fetchController) return this.#version
    // Data adopted while the fetch runs (a payload) may be newer than its target.
    const label = Math.max(this.#fetchTarget, this.#held())
    // A newer version was reported while it runs: sent, the label would be
    // answered at once, again and again. The key rejoins when the fetch for
    // that version starts.
    if (this.#seen > label) return undefined
    return label < 0 ? null : label
  }

  /**
   * This key's `known` entry is no longer the one last sent (after a fetch
   * settled, a backoff ended or was cut short): the held poll must be re-sent
   * with it. O(1), so a burst of N settling fetches costs O(N). Changes made
   * while an answer is applied, or by becoming watched, need no call: a
   * request follows them anyway.
   */
  #rejoinIfChanged() {
    if (this.#lifecycle === 'watched' && this.#currentKnown() !== this.#sentKnown) this.#host.rejoin()
  }

  #snapshot(): NodeState<T> {
    let shown = this.#data
    for (const layer of this.#layers) shown = layer.update(shown)
    const version = this.#version
    const status = this.#status
    const error = this.#error
    return { data: shown, version, status, error, isLoading: version === null && status !== 'success' && !error }
  }

  /** Publishes a new state object (stable between changes: useSyncExternalStore snapshots). */
  #publish() {
    this.set(this.#snapshot())
  }

  #adopt(nextVersion: number, nextData: T, nextHash: string | undefined, isExact: boolean) {
    this.#generation++
    this.#exact = isExact
    this.#dataHash = nextHash
    this.#failures = 0
    this.#data = nextData
    this.#version = nextVersion < 0 ? null : nextVersion
    this.#status = 'success'
    this.#error = undefined
    this.#publish()
  }

  /** An inline payload: validated, adopted unless newer data landed while validating. */
  #adoptPayload(reported: number, payload: unknown, hash: string | undefined) {
    const reject = (reason: RealityError) => {
      this.#fail(reason)
      this.#see(reported)
    }
    try {
      const result = validate(this.#options.schema, payload, this.key, (value) => {
        if (reported > this.#held()) this.#adopt(reported, value, hash, true)
      })
      if (result instanceof Promise) result.catch(reject)
    } catch (reason) {
      reject(reason as RealityError)
    }
  }

  #fail(reason: RealityError) {
    this.#status = 'error'
    this.#error = reason
    this.#publish()
  }

  #see(reported: number) {
    if (reported > this.#seen) this.#seen = reported
    this.#maybeFetch()
  }

  #maybeFetch() {
    if (this.#lifecycle === 'watched' && !this.#fetchController && !this.#cancelBackoff && (this.#forced || this.#seen > this.#held())) void this.#fetchNow()
    else this.#settleIdleWaiters()
  }

  /** No fetch is running or due (a backoff counts as settled: the error shows). */
  #isIdle() {
    return !this.#fetchController && (this.#lifecycle !== 'watched' || !!this.#cancelBackoff || (!this.#forced && this.#seen <= this.#held()))
  }

  #settleIdleWaiters() {
    const waiters = this.#idleWaiters
    if (!waiters.length || !this.#isIdle()) return
    this.#idleWaiters = NONE
    waiters.forEach((resolve) => resolve())
  }

  #startBackoff() {
    this.#endBackoff()
    this.#cancelBackoff = this.#host.timers.after(backoffDelay(++this.#failures), () => {
      this.#cancelBackoff = undefined
      this.#maybeFetch()
      this.#rejoinIfChanged()
    })
  }

  #endBackoff() {
    if (this.#cancelBackoff) this.#cancelBackoff()
    this.#cancelBackoff = undefined
  }

  async #fetchNow() {
    const key = this.key
    const host = this.#host
    const { fetcher, schema, hash } = this.#options
    // Without any reported version (a refetch before the first sync) the
    // data gets no label: `known` stays null and the server names the version.
    const target = Math.max(this.#seen, this.#held())
    const startGeneration = this.#generation
    const statusBefore = this.#status
    const controller = new AbortController()
    const waiters = this.#refetchWaiters
    this.#refetchWaiters = NONE
    this.#fetchController = controller
    this.#fetchTarget = target
    this.#forced = false
    host.fetchStarted()
    this.#status = 'loading'
    this.#publish()
    const cancelDeadline = host.timers.after(host.fetchTimeout, () =>
      controller.abort(new RealityError('fetch_failed', `Fetcher for "${key}" took longer than fetchTimeout (${host.fetchTimeout} ms): retrying`, { key })),
    )
    const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason)))
    // async: a fetcher that throws synchronously rejects, like one that fails later.
    const run = async () => fetcher(key, { signal: controller.signal, version: Math.max(target, 0) })
    try {
      const raw = await Promise.race([host.fetchThrough ? host.fetchThrough(key, target, run) : run(), aborted])
      await validate(schema, raw, key, (value) => {
        if (controller !== this.#fetchController) return
        if (startGeneration === this.#generation || target > this.#held()) this.#adopt(Math.max(target, this.#held()), value, hash?.(value), false)
        else {
          this.#status = 'success'
          this.#publish()
        }
      })
    } catch (caught) {
      if (controller === this.#fetchController) {
        this.#fail(caught instanceof RealityError ? caught : new RealityError('fetch_failed', `Fetcher for "${key}" failed (retrying): ${caught}`, { key, cause: caught }))
        this.#startBackoff()
      }
    } finally {
      cancelDeadline()
      waiters.forEach((resolve) => resolve())
      if (controller === this.#fetchController) {
        this.#fetchController = undefined
        this.#lastFetchAt = Date.now()
        host.fetchSettled()
        this.#maybeFetch()
        this.#rejoinIfChanged()
      } else if (this.#status === 'loading' && !this.#fetchController) {
        // Stopped (cached, gone, destroyed) while fetching: back to what it showed.
        this.#status = statusBefore
        this.#publish()
      }
    }
  }

  #stopFetching() {
    const controller = this.#fetchController
    if (controller) {
      this.#fetchController = undefined
      this.#host.fetchSettled()
      controller.abort()
    }
    this.#endBackoff()
    this.#settleIdleWaiters()
  }

  /** The first subscriber came. */
  protected override onWatched() {
    if (this.#cancelLifecycleTimer) this.#cancelLifecycleTimer()
    this.#cancelLifecycleTimer = undefined
    if (this.#lifecycle === 'watched') return
    this.#lifecycle = 'watched'
    this.#host.watched(this)
    this.#maybeFetch()
  }

  /** The last subscriber left: watched for `grace` ms more, then cached. */
  protected override onUnwatched() {
    this.#cancelLifecycleTimer = this.#host.timers.after(this.#host.grace, () => {
      this.#lifecycle = 'cached'
      this.#stopFetching()
      this.startCached()
    })
  }
}
