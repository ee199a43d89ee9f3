import type { ChangedReader } from '../answer.js'
import type { BumpMeta, ChangeListener, VersionChange, VersionEntry, VersionStore } from '../version-store.js'
import { createVersionClock } from './clock.js'


/**
 * Options of {@link memoryVersions}.
 *
 * @example
 * memoryVersions({ onListenerError: (error) => log.error(error) })
 */
export interface MemoryVersionsOptions {
  /** Version generator; defaults to the clock-based one (see `clock.ts`). */
  nextVersion?: () => number
  /**
   * Called when a change listener throws. A throwing listener must not stop
   * the others from hearing about the bump; defaults to `console.error`.
   */
  onListenerError?: (error: unknown) => void
}

/**
 * The default {@link VersionStore}: versions in a `Map` of this process.
 * Right for one server process (and for tests, SSR and the demo). Several
 * instances behind a load balancer need a shared store (Redis, Postgres).
 *
 * Versions are clock based, so a restarted process never reissues a version
 * a client may still hold (see `clock.ts`). After a restart every key reads
 * as the new process's floor (a version taken at start, never `0`), which
 * differs from every version a client may hold, so they refetch.
 *
 * @example
 * const versions = memoryVersions()
 * const server = createRealityServer({ versions })
 * await versions.bump(['user:42']) // Map { 'user:42' => { version: 1732271234567000 } }
 */
export function memoryVersions(options: MemoryVersionsOptions = {}): VersionStore & ChangedReader & { subscriberCount(): number } {
  const nextVersion = options.nextVersion ?? createVersionClock()
  // Never-written keys read as this instance's floor, a fresh version, not 0:
  // this store forgets everything on restart, and a client that held "never
  // written" (0) for a key written just before the restart would otherwise
  // read 0 again and never fetch that write. One frozen entry: no allocation per key.
  const NEVER_WRITTEN: VersionEntry = Object.freeze({ version: nextVersion() })
  const onListenerError = options.onListenerError ?? ((error: unknown) => console.error('[reality] a version listener threw', error))
  const entries = new Map<string, VersionEntry>()
  // One wrapper object per subscription, so subscribing the same function
  // twice gives two independent subscriptions.
  const listeners = new Set<{ listener: ChangeListener }>()
  let closed = false

  function assertOpen() {
    if (closed) throw new Error('This memoryVersions() store is closed.')
  }

  const store: VersionStore & { subscriberCount(): number } = {
    async read(keys) {
      assertOpen()
      const result = new Map<string, VersionEntry>()
      for (const key of keys) result.set(key, entries.get(key) ?? NEVER_WRITTEN)
      return result
    },

    async bump(keys, meta?: BumpMeta) {
      assertOpen()
      const result = new Map<string, VersionEntry>()
      const changes: VersionChange[] = []
      for (const key of keys) {
        if (result.has(key)) continue
        const entry: VersionEntry = { version: nextVersion() }
        if (meta?.hash !== undefined) entry.hash = meta.hash
        if (meta?.payload !== undefined) entry.payload = meta.payload
        // A bump without hash/payload clears the old ones: they described older data.
        Object.freeze(entry)
        entries.set(key, entry)
        result.set(key, entry)
        changes.push({ key, ...entry })
      }
      if (changes.length) {
        // Copy first: a listener may unsubscribe (or subscribe) while we iterate.
        for (const subscription of [...listeners]) {
          if (!listeners.has(subscription)) continue
          try {
            subscription.listener(changes)
          } catch (error) {
            onListenerError(error)
          }
        }
      }
      return result
    },

    async subscribe(listener) {
      assertOpen()
      const subscription = { listener }
      listeners.add(subscription)
      return () => {
        listeners.delete(subscription)
      }
    },

    async close() {
      closed = true
      listeners.clear()
      entries.clear()
    },

    subscriberCount() {
      return listeners.size
    },
  }
  // The fast path is not enumerable: a wrapper built with `{ ...store, read }`
  // must not keep a readChanged that bypasses its own read.
  const readChanged: ChangedReader['readChanged'] = async (keys, known) => {
    assertOpen()
    const result = new Map<string, VersionEntry>()
    for (const key of keys) {
      const entry = entries.get(key) ?? NEVER_WRITTEN
      if (known[key] !== entry.version) result.set(key, entry)
    }
    return result
  }
  Object.defineProperty(store, 'readChanged', { value: readChanged, enumerable: false })
  return store as typeof store & ChangedReader
}
