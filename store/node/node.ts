import { signal } from '@preact/signals-core'
import type { ChangedEntry } from '../../protocol/types.js'
import { RealityError } from '../errors.js'
import { backoffDelay } from '../sync/retry-policy.js'
import type { TrackedTimers } from '../timers.js'
import type { NodeInspection, NodeOptions, NodeState, NodeStatus, StoreOptions, Updater } from '../types.js'
import { validate } from '../validate.js'
import { announceChange } from './nanostores-epoch.js'

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
  /** The key can be checked again (a fetch settled, a backoff ended). */
  rejoin(): void
}

/** One entry of a snapshot: data labelled with `version`. */
export interface HeldEntry {
  data: unknown
  version: number
  hash?: string
}

/** Where a node is in its life (ARCHITECTURE.md C6). */
export type Lifecycle = 'watched' | 'cached' | 'gone'

/** The one node of a key (internal: users see handles). */
export type Node<T = any> = ReturnType<typeof createNode<T>>

/**
 * A key's node: the data held and the version it is labelled with, the
 * highest version reported, its lifecycle and its fetch cycle.
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
 * const node = createNode('user:42', { fetcher }, host)
 * const stop = node.state.subscribe(render) // watched
 * node.report({ version: 7 }) // fetches, then holds the data labelled 7
 */
export function createNode<T>(key: string, options: NodeOptions<T>, host: NodeHost) {
  const { fetcher, schema, hash } = options
  let data: T | undefined
  let version: number | null = null
  let status: NodeStatus = 'idle'
  let error: Error | undefined
  /** The data held is exactly its version's (none, payload, snapshot, hash match), not fetched data that may be newer. */
  let exact = true
  let dataHash: string | undefined
  /** Highest version reported by the server. */
  let seen = -1
  /** Bumped whenever data is adopted: a fetch that started before sees it. */
  let generation = 0
  let layers: { update: Updater<T> }[] = []
  let lifecycle: Lifecycle = 'cached'
  let subscribers = 0
  let fetchController: AbortController | undefined
  let cancelBackoff: (() => void) | undefined
  let failures = 0
  let forced = false
  let lastFetchAt: number | undefined
  let refetchWaiters: (() => void)[] = []
  let idleWaiters: (() => void)[] = []
  let cancelLifecycleTimer: (() => void) | undefined
  const state = signal<NodeState<T>>(snapshot(), { watched: watch, unwatched: unwatch })
  /** Read by handles' computeds only: tells them to find the key's new node. */
  const gone = signal(false)

  const held = () => version ?? -1

  function snapshot(): NodeState<T> {
    let shown = data
    for (const layer of layers) shown = layer.update(shown)
    return { data: shown, version, status, error, isLoading: version === null && status !== 'success' && !error }
  }

  /** Publishes a new state object (stable between changes: useSyncExternalStore snapshots). */
  function publish() {
    state.value = snapshot()
    announceChange()
  }

  function adopt(nextVersion: number, nextData: T, nextHash: string | undefined, isExact: boolean) {
    generation++
    exact = isExact
    dataHash = nextHash
    failures = 0
    data = nextData
    version = nextVersion < 0 ? null : nextVersion
    status = 'success'
    error = undefined
    publish()
  }

  function fail(reason: RealityError) {
    status = 'error'
    error = reason
    publish()
  }

  function see(reported: number) {
    if (reported > seen) seen = reported
    maybeFetch()
  }

  function maybeFetch() {
    if (lifecycle === 'watched' && !fetchController && !cancelBackoff && (forced || seen > held())) void fetchNow()
    else settleIdleWaiters()
  }

  /** No fetch is running or due (a backoff counts as settled: the error shows). */
  function isIdle() {
    return !fetchController && (lifecycle !== 'watched' || !!cancelBackoff || (!forced && seen <= held()))
  }

  function settleIdleWaiters() {
    if (idleWaiters.length && isIdle()) idleWaiters.splice(0).forEach((resolve) => resolve())
  }

  function startBackoff() {
    endBackoff()
    cancelBackoff = host.timers.after(backoffDelay(++failures), () => {
      cancelBackoff = undefined
      maybeFetch()
      if (!fetchController) host.rejoin()
    })
  }

  function endBackoff() {
    if (cancelBackoff) cancelBackoff()
    cancelBackoff = undefined
  }

  async function fetchNow() {
    // Without any reported version (a refetch before the first sync) the
    // data gets no label: `known` stays null and the server names the version.
    const target = Math.max(seen, held())
    const startGeneration = generation
    const statusBefore = status
    const controller = new AbortController()
    const waiters = refetchWaiters.splice(0)
    fetchController = controller
    forced = false
    host.fetchStarted()
    status = 'loading'
    publish()
    const cancelDeadline = host.timers.after(host.fetchTimeout, () =>
      controller.abort(new RealityError('fetch_failed', `Fetcher for "${key}" took longer than fetchTimeout (${host.fetchTimeout} ms): retrying`, { key })),
    )
    const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason)))
    // async: a fetcher that throws synchronously rejects, like one that fails later.
    const run = async () => fetcher(key, { signal: controller.signal, version: Math.max(target, 0) })
    try {
      const raw = await Promise.race([host.fetchThrough ? host.fetchThrough(key, target, run) : run(), aborted])
      await validate(schema, raw, key, (value) => {
        if (controller !== fetchController) return
        if (startGeneration === generation || target > held()) adopt(Math.max(target, held()), value, hash?.(value), false)
        else {
          status = 'success'
          publish()
        }
      })
    } catch (caught) {
      if (controller === fetchController) {
        fail(caught instanceof RealityError ? caught : new RealityError('fetch_failed', `Fetcher for "${key}" failed (retrying): ${caught}`, { key, cause: caught }))
        startBackoff()
      }
    } finally {
      cancelDeadline()
      waiters.forEach((resolve) => resolve())
      if (controller === fetchController) {
        fetchController = undefined
        lastFetchAt = Date.now()
        host.fetchSettled()
        maybeFetch()
        // Even when this key backs off, the fetches that were keeping the
        // poll waiting may all have settled now.
        if (!fetchController) host.rejoin()
      } else if (status === 'loading' && !fetchController) {
        // Stopped (cached, gone, destroyed) while fetching: back to what it showed.
        status = statusBefore
        publish()
      }
    }
  }

  function stopFetching() {
    const controller = fetchController
    if (controller) {
      fetchController = undefined
      host.fetchSettled()
      controller.abort()
    }
    endBackoff()
    settleIdleWaiters()
  }

  function watch() {
    if (cancelLifecycleTimer) cancelLifecycleTimer()
    cancelLifecycleTimer = undefined
    if (lifecycle === 'watched') return
    lifecycle = 'watched'
    host.watched(node)
    maybeFetch()
  }

  function unwatch() {
    cancelLifecycleTimer = host.timers.after(host.grace, becomeCached)
  }

  function becomeCached() {
    lifecycle = 'cached'
    stopFetching()
    host.cached(node)
    cancelLifecycleTimer = host.timers.after(host.cacheTime, drop)
  }

  function drop() {
    if (lifecycle === 'gone') return
    if (cancelLifecycleTimer) cancelLifecycleTimer()
    cancelLifecycleTimer = undefined
    lifecycle = 'gone'
    stopFetching()
    gone.value = true
    host.gone(node)
  }

  const node = {
    key,
    state,
    gone,
    isGone: () => lifecycle === 'gone',
    isWatched: () => lifecycle === 'watched',
    isFetching: () => !!fetchController,
    /** Starts the cache clock of a node created unwatched. */
    startCached() {
      host.cached(node)
      cancelLifecycleTimer = host.timers.after(host.cacheTime, drop)
    },
    /** What `known` carries for this key, or `undefined` to leave it out (not watched, fetching, backing off). */
    known(): number | null | undefined {
      return lifecycle === 'watched' && !fetchController && !cancelBackoff ? version : undefined
    },
    /** Applies one `changed` entry of a sync answer. */
    report(entry: ChangedEntry) {
      const reported = entry.version
      const heldVersion = held()
      if (reported < heldVersion) {
        // The version store forgot its versions (contract broken, e.g. a
        // non-durable store restarted): relabel from a fresh fetch.
        exact = false
        version = null
        seen = reported
        publish()
        maybeFetch()
      } else if (reported > heldVersion) {
        if (heldVersion >= 0 && entry.hash !== undefined && entry.hash === dataHash) adopt(reported, data as T, dataHash, true)
        else if ('payload' in entry && exact) {
          const rejectPayload = (reason: RealityError) => {
            fail(reason)
            see(reported)
          }
          try {
            const result = validate(schema, entry.payload, key, (value) => {
              if (reported > held()) adopt(reported, value, entry.hash, true)
            })
            if (result instanceof Promise) result.catch(rejectPayload)
          } catch (reason) {
            rejectPayload(reason as RealityError)
          }
        } else see(reported)
      }
    },
    /** Adopts a snapshot entry newer than the data held. */
    hydrate(entry: HeldEntry) {
      if (entry.version <= held()) return
      // A snapshot entry is the data at its version (the dehydrate/hydrate
      // contract), so later payloads apply over it.
      if (exact) adopt(entry.version, entry.data as T, entry.hash, true)
      else see(entry.version)
    },
    /** The data held, for `dehydrate()`. */
    entry(): HeldEntry | undefined {
      return version === null ? undefined : { data, version, hash: dataHash }
    },
    /** The server refused the key: an error, and the key is asked for again after a backoff (like a failed fetch). */
    deny() {
      fail(new RealityError('denied', `Server denied "${key}": sign in, then store.sync()`, { key }))
      startBackoff()
    },
    /** Cuts a backoff short (after a denial or a failed fetch): `store.sync()`, mutations. */
    retry() {
      if (!cancelBackoff) return
      endBackoff()
      maybeFetch()
    },
    /** Fetches whatever the version: now, after the fetch in flight, or cutting a backoff short. */
    refetch() {
      return new Promise<void>((resolve) => {
        refetchWaiters.push(resolve)
        forced = true
        endBackoff()
        if (fetchController) return
        if (lifecycle === 'watched') maybeFetch()
        else void fetchNow() // an unwatched handle's refetch() still fetches, once
      })
    },
    /** Resolves once no fetch is running or due for this key. */
    whenIdle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve)
        settleIdleWaiters()
      })
    },
    /** Adds an optimistic layer on top of the data (mutation start order). */
    addLayer(update: Updater<T>) {
      const layer = { update }
      layers = [...layers, layer]
      publish()
      return () => {
        layers = layers.filter((other) => other !== layer)
        publish()
      }
    },
    /** Handles subscribed now, for `store.inspect()`. */
    countSubscriber(delta: 1 | -1) {
      subscribers += delta
    },
    inspect(): NodeInspection {
      return {
        key,
        version,
        status,
        subscribers,
        state: lifecycle === 'watched' ? 'watched' : 'cached',
        fetching: !!fetchController,
        lastFetchAt,
        error: error?.message,
      }
    },
    drop,
    /** `store.destroy()`: aborts the fetch and clears its timers, keeping the state readable. */
    stop() {
      if (cancelLifecycleTimer) cancelLifecycleTimer()
      cancelLifecycleTimer = undefined
      stopFetching()
    },
  }
  return node
}
