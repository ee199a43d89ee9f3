import type { ChangedEntry, SyncRequest, SyncResponse } from '../protocol/types.js'
import { Hold, type HoldCounters } from './hold.js'
import type { VersionEntry, VersionStore } from './version-store.js'
import type { WaiterRegistry } from './waiters.js'

/** The version store failed (read or subscribe): answered 503 with Retry-After. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError'
  constructor(cause: unknown) {
    super('The version store failed.', { cause })
  }
}

/** What {@link answerSync} needs from the server. */
export interface AnswerContext {
  store: VersionStore
  registry: WaiterRegistry
  counters: HoldCounters
  /** Aborted when the server closes: every hold ends with an empty answer. */
  closing: AbortSignal
}

async function readEntries(store: VersionStore, keys: readonly string[]): Promise<Map<string, VersionEntry>> {
  try {
    return await store.read(keys)
  } catch (error) {
    throw new StoreUnavailableError(error)
  }
}

/** Every allowed key whose current version differs from the one the client holds. */
function diff(keys: readonly string[], known: SyncRequest['known'], entries: Map<string, VersionEntry>): Record<string, ChangedEntry> | undefined {
  let changed: Record<string, ChangedEntry> | undefined
  for (const key of keys) {
    const entry = entries.get(key) ?? { version: 0 }
    if (known[key] === entry.version) continue
    const out: ChangedEntry = { version: entry.version }
    if (entry.hash !== undefined) out.hash = entry.hash
    if (entry.payload !== undefined) out.payload = entry.payload
    // Prototype-free: "__proto__" is an ordinary key here.
    ;(changed ??= Object.create(null) as Record<string, ChangedEntry>)[key] = out
  }
  return changed
}

function response(changed: Record<string, ChangedEntry> | undefined, denied: string[]): SyncResponse {
  const body: SyncResponse = { v: 1, changed: changed ?? Object.create(null) }
  if (denied.length) body.denied = denied
  return body
}

/**
 * Answers a parsed sync request for its allowed keys (DESIGN.md invariant 11):
 * with a wait, register as a waiter and subscribe BEFORE reading, so a
 * change committed between the read and the hold still wakes it; answer at
 * once when anything differs; otherwise hold until a watched key changes to
 * a version the client does not hold (re-read, answer every key that
 * differs), the clamped wait elapses or the client/server goes away (empty).
 * `signal` is only needed (and only asked for) when `waitMs > 0`.
 */
export async function answerSync(
  context: AnswerContext,
  request: SyncRequest,
  allowed: string[],
  denied: string[],
  waitMs: number,
  signal: AbortSignal | undefined,
): Promise<SyncResponse> {
  const { store, registry } = context
  if (waitMs <= 0 || !signal || signal.aborted || context.closing.aborted) {
    return response(diff(allowed, request.known, await readEntries(store, allowed)), denied)
  }
  const hold = new Hold(allowed, request.known, waitMs, [signal, context.closing], context.counters)
  const watching = allowed.length > 0
  try {
    if (watching) {
      try {
        await registry.add(hold)
      } catch (error) {
        throw new StoreUnavailableError(error)
      }
    }
    for (;;) {
      const changed = diff(allowed, request.known, await readEntries(store, allowed))
      if (changed) return response(changed, denied)
      // The woken-for change may already be superseded by a version the
      // client holds (another tab wrote and refetched): keep holding.
      if ((await hold.next()) !== 'wake') return response(undefined, denied)
    }
  } finally {
    if (watching) registry.remove(hold)
    hold.release()
  }
}
