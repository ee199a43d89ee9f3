import type { ChangedEntry, SyncRequest, SyncResponse } from '../protocol/types.js'
import { Hold, type HoldCounters, type HoldOutcome } from './hold.js'
import type { VersionEntry, VersionStore } from './version-store.js'
import type { WaiterRegistry, WatchGroup } from './waiters.js'
import type { DeadlineWheel } from './deadlines.js'

/**
 * The version store failed (read or subscribe): answered 503 with Retry-After.
 *
 * @example
 * try { await store.read(keys) } catch (error) { throw new StoreUnavailableError(error) }
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError'
  constructor(cause: unknown) {
    super('The version store failed.', { cause })
  }
}

/**
 * What {@link answerSync} needs from the server.
 *
 * @example
 * const context: AnswerContext = { store, registry, counters, closed: () => false, deadlines: new DeadlineWheel() }
 */
export interface AnswerContext {
  store: VersionStore
  registry: WaiterRegistry
  counters: HoldCounters
  /** True once the server is closed: nothing new is held. */
  closed(): boolean
  /**
   * The one timer behind every held request's deadline; also how server
   * close reaches every hold in progress (each is armed there until released).
   */
  deadlines: DeadlineWheel<Hold>
}

/**
 * Optional fast path a store may offer (the memory store does): the entries
 * of `keys` whose version differs from `known[key]` (a key never written
 * reads as the store's floor version), in `keys` order. Same answer as filtering `read(keys)`,
 * without building a Map of every key on the common "nothing changed" request.
 *
 * @example
 * await store.readChanged(['a', 'b'], { a: 1732271234567000, b: 5 }) // Map { 'a' => { version: 1732271234567001 } }
 */
export interface ChangedReader {
  readChanged(keys: readonly string[], known: Readonly<Record<string, number | null>>): Promise<Map<string, VersionEntry>>
}

/**
 * The entries of `keys` whose version differs from `known[key]`. A plain
 * promise chain, not an async function: this runs on every sync request,
 * and each async frame costs a little CPU. Rejects with
 * {@link StoreUnavailableError} when the store fails.
 *
 * @example
 * const changed = await readChanged(store, ['a'], { a: 3 }) // Map { 'a' => { version: 4 } }
 */
export function readChanged(store: VersionStore & Partial<ChangedReader>, keys: readonly string[], known: SyncRequest['known']): Promise<Map<string, VersionEntry>> {
  const unavailable = (error: unknown) => Promise.reject(new StoreUnavailableError(error))
  try {
    if (store.readChanged) return store.readChanged(keys, known).catch(unavailable)
    return store.read(keys).then((entries) => {
      const changed = new Map<string, VersionEntry>()
      for (const key of keys) {
        const entry = entries.get(key) ?? NEVER_WRITTEN
        if (known[key] !== entry.version) changed.set(key, entry)
      }
      return changed
    }, unavailable)
  } catch (error) {
    return unavailable(error) // a store that throws instead of rejecting
  }
}

// Only for a store that breaks the contract and leaves a requested key out of
// `read`: every store reads a never-written key as its floor version itself
// (0 only for a durable store, see `VersionStore.read`). Treating a missing
// entry as 0 keeps the answer well-formed; it is not how never-written keys read.
const NEVER_WRITTEN: VersionEntry = Object.freeze({ version: 0 })

/**
 * The `changed` object of the answer, or `undefined` when nothing differs.
 *
 * @example
 * toChanged(new Map([['a', { version: 4 }]])) // { a: { version: 4 } }
 */
export function toChanged(entries: Map<string, VersionEntry>): Record<string, ChangedEntry> | undefined {
  if (entries.size === 0) return undefined
  // Prototype-free: "__proto__" is an ordinary key here.
  const changed: Record<string, ChangedEntry> = Object.create(null)
  for (const [key, entry] of entries) {
    const out: ChangedEntry = { version: entry.version }
    if (entry.hash !== undefined) out.hash = entry.hash
    if (entry.payload !== undefined) out.payload = entry.payload
    changed[key] = out
  }
  return changed
}

function response(changed: Record<string, ChangedEntry> | undefined, denied: string[]): SyncResponse {
  const body: SyncResponse = { v: 1, changed: changed ?? Object.create(null) }
  if (denied.length) body.denied = denied
  return body
}

/**
 * Answers a parsed sync request for its allowed keys (ARCHITECTURE.md S3):
 * with a wait, register as a waiter and subscribe BEFORE reading, so a
 * change committed between the read and the hold still wakes it; answer at
 * once when anything differs; otherwise hold until a watched key changes to
 * a version the client does not hold (re-read, answer every key that
 * differs), the clamped wait elapses or the client/server goes away (empty).
 * `signal` is only needed (and only asked for) when `waitMs > 0`.
 *
 * @example
 * const body = await answerSync(context, request, ['a'], [], 25_000, request.signal)
 */
export function answerSync(
  context: AnswerContext,
  request: SyncRequest,
  allowed: string[],
  denied: string[],
  waitMs: number,
  signal: AbortSignal | undefined,
): Promise<SyncResponse> {
  if (waitMs <= 0 || !signal || signal.aborted || context.closed()) {
    // The common case, answered without an async frame.
    return readChanged(context.store, allowed, request.known).then((changed) => response(toChanged(changed), denied))
  }
  return holdAndAnswer(context, request, allowed, denied, waitMs, signal)
}

/**
 * Registers the hold (and, when it watches keys, its shared watch group)
 * synchronously, then waits in {@link heldAnswer}. Not async itself: the
 * parsed request (its `known` record, up to 64 KiB of body's worth of
 * objects) must not stay reachable from a suspended frame while held.
 */
function holdAndAnswer(
  context: AnswerContext,
  request: SyncRequest,
  allowed: string[],
  denied: string[],
  waitMs: number,
  signal: AbortSignal,
): Promise<SyncResponse> {
  const hold = new Hold(waitMs, signal, context.counters, context.deadlines)
  let group: WatchGroup | undefined
  try {
    if (allowed.length > 0) group = context.registry.add(hold, allowed, request.known)
  } catch (error) {
    finish(context, hold)
    return Promise.reject(error)
  }
  return heldAnswer(context, hold, group, denied)
}

function finish(context: AnswerContext, hold: Hold): void {
  context.registry.remove(hold)
  hold.release()
}

async function heldAnswer(context: AnswerContext, hold: Hold, group: WatchGroup | undefined, denied: string[]): Promise<SyncResponse> {
  try {
    if (group && (await subscribeWhileHeld(context, hold)) !== undefined) return response(undefined, denied) // ended while subscribing
    for (;;) {
      if (group) {
        const changed = await readWhileHeld(context, hold, group)
        if (changed === 'ended') return response(undefined, denied) // ended while reading
        if (changed) return response(changed, denied)
      }
      // The woken-for change may already be superseded by a version the
      // client holds (another tab wrote and refetched): keep holding.
      if ((await hold.next()) !== 'wake') return response(undefined, denied)
    }
  } finally {
    finish(context, hold)
  }
}

// The two steps below are functions of their own, not inline in
// heldAnswer: an async frame keeps every local alive while it waits, and
// their promises and maps would otherwise stay with each held request.

/** Waits for the registry's subscription, or for the hold to end first (its outcome). */
async function subscribeWhileHeld(context: AnswerContext, hold: Hold): Promise<HoldOutcome | void> {
  const subscribing = context.registry.subscribed()
  subscribing.catch(() => {}) // handled below, or dropped when the hold ended first
  try {
    return await hold.whileHeld(subscribing)
  } catch (error) {
    throw new StoreUnavailableError(error)
  }
}

/** What of the group changed beyond what the client holds, or `'ended'` if the hold ended while reading. */
async function readWhileHeld(context: AnswerContext, hold: Hold, group: WatchGroup): Promise<Record<string, ChangedEntry> | undefined | 'ended'> {
  const read = readChanged(context.store, group.keys, group.known())
  read.catch(() => {})
  const entries = await hold.whileHeld(read)
  return typeof entries === 'string' ? 'ended' : toChanged(entries)
}
