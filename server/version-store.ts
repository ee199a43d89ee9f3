/**
 * The one piece of shared state a Reality server has: a version per key.
 * Any backend (memory, Redis, Postgres…) implements this interface, and the
 * handler never needs to know which one it talks to.
 */

/** What a version store holds for one key. */
export interface VersionEntry {
  /** Non-negative safe integer; a never-written key reads as the store's floor (see `read`). */
  version: number
  /** Content hash given by the writer, if any. */
  hash?: string
  /** Inline value, only when the writer opted in. */
  payload?: unknown
}

/** One key's new entry, as announced to subscribers. */
export interface VersionChange extends VersionEntry {
  key: string
}

/** Extra data a writer attaches to a bump. */
export interface BumpMeta {
  hash?: string
  payload?: unknown
}

/** Receives every batch of changes committed on any instance. */
export type ChangeListener = (changes: readonly VersionChange[]) => void

/** Options of `VersionStore.subscribe`. */
export interface SubscribeOptions {
  /**
   * Called when changes may have been missed (a networked store lost and
   * regained its pub/sub connection): treat every key as possibly changed
   * and re-read. Stores that cannot miss changes (memory) never call it.
   */
  onGap?: () => void
}

/**
 * Storage of versions, shared by every server instance that serves the same
 * clients.
 *
 * Contract (see `server/versions/contract.ts`, which every store must pass):
 * - `bump` is atomic per key: concurrent bumps never hand out the same
 *   version, and a key's version never repeats, even after a restart of the
 *   store (a client holding an old version must always see a difference).
 * - `subscribe` resolves only once the listener is guaranteed to see every
 *   bump committed after that moment, on this instance or any other. The
 *   handler subscribes *before* it reads, so no wake-up is lost in between.
 * - every unsubscribe releases what the subscription held.
 */
export interface VersionStore {
  /**
   * Current entries of every one of `keys`. A key never written reads as the
   * store's floor version: `0` for a durable store (Postgres); for a store
   * that can lose its data (memory, Redis without persistence) a version
   * issued when it (re)started, so it differs from every version a client
   * may hold from before the loss.
   */
  read(keys: readonly string[]): Promise<Map<string, VersionEntry>>
  /** Gives every key a new, higher, never-used version and announces it. */
  bump(keys: readonly string[], meta?: BumpMeta): Promise<Map<string, VersionEntry>>
  /** Listens to changes from every instance. Resolves to an unsubscribe function. */
  subscribe(listener: ChangeListener, options?: SubscribeOptions): Promise<() => void>
  /** Releases connections and timers. The store is unusable afterwards. */
  close?(): Promise<void>
  /**
   * Diagnostics: how many subscriptions are live on this instance. Optional;
   * the contract suite uses it (when present) to prove unsubscribing leaves
   * nothing behind.
   */
  subscriberCount?(): number
}
