import { batch, computed, effect, signal, untracked, type ReadonlySignal } from '@preact/signals-core'
import type { ChangedEntry } from '../protocol/types.js'
import { RealityError } from './errors.js'
import { backoff, type TrackedTimers } from './timers.js'
import type { NodeOptions, NodeState, StoreOptions, Updater } from './types.js'
import { validate } from './validate.js'

/** What a node needs from its store. */
export interface NodeHost {
  timers: TrackedTimers
  /** The key can be checked again (a fetch settled, a backoff ended). */
  rejoin(): void
  /** `StoreOptions.fetchThrough`: every fetch goes through it when set. */
  fetchThrough?: StoreOptions['fetchThrough']
}

/** One entry of a snapshot: data labelled with `version`. */
export interface HeldEntry {
  data: unknown
  version: number
  hash?: string
}

/** The one node of a key (internal: users see handles). */
export type Node<T = any> = ReturnType<typeof createNode<T>>

type Base<T> = Omit<NodeState<T>, 'isLoading'>

/**
 * A key's node: the data held and the version it is labelled with, the
 * highest version seen, and an effect that fetches whenever seen > held.
 *
 * Version fence (invariant 2): a fetch targets the version seen when it
 * starts and labels its data with that version, never with one seen later
 * (a fetch may return newer data than its target, so a later label could
 * skip a write). One fetch is in flight at a time; versions reported meanwhile
 * only raise `seen`, so when it settles the effect fetches again. A result
 * is dropped if other data (payload, hash, hydration) was adopted while it
 * ran, unless its target is higher. A failure keeps data and version, sets a
 * typed error and waits a jittered, growing backoff before the key is
 * checked and fetched again (a failing fetcher is not hammered).
 *
 * Hash (invariant 3): only a matching hash may skip a refetch, and only when
 * we know the hash of the data we actually hold. Data from an inline payload
 * is exactly its version, so it gets that version's hash.
 * Fetched data may be newer than its target, so a reported hash cannot label
 * it: it gets a hash only from the app's own `hash(data)`. Remembering the
 * last reported hash instead would break on A → B → A: a fetch for A's
 * version that returned B would be labelled "A", and the write back to A
 * would be skipped, leaving B on screen forever.
 *
 * Payloads are adopted only over no data or over exact data (from a
 * payload, a snapshot or a hash match): fetched data may already contain writes whose
 * version bump has not been reported, so a payload could be older than it.
 *
 * @example
 * const node = createNode('user:42', { fetcher }, host)
 * node.start()
 * node.report({ version: 7 }) // fetches, then holds the data labelled 7
 */
export function createNode<T>(key: string, options: NodeOptions<T>, host: NodeHost) {
  const { fetcher, schema, hash } = options
  const base = signal<Base<T>>({ data: undefined, version: null, status: 'idle', error: undefined })
  const seen = signal(-1)
  /** A fetch is in flight or backing off: the key stays out of `known`. */
  const busy = signal(false)
  const layers = signal<{ u: Updater<T> }[]>([])
  const gone = signal(false)
  /**
   * The data held is exactly the data of its version (none yet, a payload, a
   * snapshot, a hash match), not fetched data that may be newer than its label.
   */
  let exact = true
  let dataHash: string | undefined
  let generation = 0
  let attempt = 0
  let fetching = false
  let controller: AbortController | undefined
  let stopEffect: (() => void) | undefined
  let cancelWait: (() => void) | undefined
  let waiters: (() => void)[] = []
  /** `refetch()` asked for a fetch whatever the version. */
  const force = signal(false)
  const held = () => base.peek().version ?? -1
  const set = (patch: Partial<Base<T>>) => (base.value = { ...base.peek(), ...patch })
  const adopt = (version: number, data: T, h: string | undefined, isExact: boolean) => {
    generation++
    exact = isExact
    dataHash = h
    attempt = 0
    set({ data, version: version < 0 ? null : version, status: 'success', error: undefined })
  }
  const fail = (error: RealityError) => set({ status: 'error', error })
  const see = (version: number) => (seen.value = Math.max(seen.peek(), version))
  const endWait = () => {
    cancelWait?.()
    cancelWait = undefined
    busy.value = fetching
  }
  /** Keeps the key out of `known` for a growing, jittered backoff, then checks it again. */
  const wait = () => {
    cancelWait?.()
    busy.value = true
    cancelWait = host.timers.after(backoff(++attempt), () => {
      cancelWait = undefined
      busy.value = fetching
      host.rejoin()
    })
  }

  async function run() {
    // Without any reported version (a refetch before the first sync) the
    // data gets no label: `known` stays null and the server names the version.
    const target = Math.max(seen.peek(), held())
    const start = generation
    endWait()
    const c = (controller = new AbortController())
    const mine = waiters.splice(0)
    fetching = true
    batch(() => {
      busy.value = true
      force.value = false
      set({ status: 'loading' })
    })
    try {
      const version = Math.max(target, 0)
      const fetch = async () => fetcher(key, { signal: c.signal, version })
      const raw = await (host.fetchThrough ? host.fetchThrough(key, version, fetch) : fetch())
      if (!c.signal.aborted) {
        await validate(schema, raw, key, (data) => {
          if (start === generation || target > held()) adopt(Math.max(target, held()), data, hash?.(data), false)
          else set({ status: 'success' })
        })
      }
    } catch (error) {
      if (!c.signal.aborted) {
        fail(error instanceof RealityError ? error : new RealityError('fetch_failed', `Fetcher for "${key}" failed (retrying): ${error}`, { key, cause: error }))
        wait()
      }
    } finally {
      fetching = false
      mine.forEach((resolve) => resolve())
      if (!c.signal.aborted && !(busy.value = !!cancelWait)) host.rejoin()
    }
  }

  return {
    key,
    gone,
    layers,
    /** The state every handle shows: held data with the optimistic layers applied in mutation start order. */
    state: computed<NodeState<T>>(() => {
      const b = base.value
      return { ...b, data: layers.value.reduce((data: T | undefined, layer) => layer.u(data), b.data), isLoading: b.version === null && b.status !== 'success' && !b.error }
    }) as ReadonlySignal<NodeState<T>>,
    /** Subscribed handles. */
    refs: 0,
    /** Id of the last sync request whose answer covered this key. */
    checked: 0,
    /** Cancels the pending collection of this node (set while it has no subscriber). */
    keep: undefined as (() => void) | undefined,
    get fetching() {
      return fetching
    },
    /** What `known` carries for this key, or `undefined` to leave it out. */
    known(): number | null | undefined {
      return busy.peek() ? undefined : base.peek().version
    },
    /** No fetch is due or running since request `seq` answered for this key. */
    landed(seq: number) {
      return this.checked > seq && !fetching && (seen.peek() <= held() || !!cancelWait)
    },
    /** Starts fetching on version changes; `true` if it was not running. */
    start() {
      return !stopEffect && !!(stopEffect = effect(() => {
        if ((force.value || seen.value > (base.value.version ?? -1)) && !busy.value) untracked(run)
      }))
    },
    /** Aborts the fetch, ends the backoff, stops reacting. */
    stop() {
      stopEffect?.()
      controller?.abort()
      endWait()
    },
    /** Applies one `changed` entry of a sync answer. */
    report(entry: ChangedEntry) {
      const v = entry.version
      const h = held()
      // The version store forgot its versions (contract broken, e.g. a
      // non-durable store restarted): relabel from a fresh fetch.
      if (v < h) {
        exact = false
        batch(() => {
          set({ version: null })
          seen.value = v
        })
      } else if (v > h) {
        if (h >= 0 && entry.hash !== undefined && entry.hash === dataHash) adopt(v, base.peek().data as T, dataHash, true)
        else if ('payload' in entry && exact) {
          const bad = (error: RealityError) => batch(() => (fail(error), see(v)))
          try {
            const result = validate(schema, entry.payload, key, (data) => v > held() && adopt(v, data, entry.hash, true))
            if (result instanceof Promise) result.catch(bad)
          } catch (error) {
            bad(error as RealityError)
          }
        } else see(v)
      }
    },
    /** Adopts a snapshot entry newer than the data held. */
    hydrate(entry: HeldEntry) {
      const h = held()
      if (entry.version > h) {
        // A snapshot entry is taken as the data at its version (the
        // dehydrate/hydrate contract), so later payloads apply over it.
        if (exact) adopt(entry.version, entry.data as T, entry.hash, true)
        else see(entry.version)
      }
    },
    /** The data held, for `dehydrate()`. */
    entry(): HeldEntry | undefined {
      const { data, version } = base.peek()
      return version === null ? undefined : { data, version, hash: dataHash }
    },
    /** The server refused the key: an error, and the key is asked for again after a backoff (like a failed fetch). */
    deny() {
      fail(new RealityError('denied', `Server denied "${key}": sign in, then store.sync()`, { key }))
      wait()
    },
    /** Cuts a backoff short (after a denial or a failed fetch): `store.sync()`, mutations. */
    retry() {
      if (cancelWait) endWait()
    },
    /** Fetches whatever the version: now, after the fetch in flight, or cutting a backoff short. */
    refetch: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve)
        if (cancelWait) endWait()
        stopEffect || fetching ? (force.value = true) : run()
      }),
  }
}
