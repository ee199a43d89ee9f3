/**
 * Version numbers for stores that live in one process (the memory store).
 *
 * Why a clock and not a counter from 1: a client keeps the version of the
 * data it holds across a server restart. If a restarted store counted from 1
 * again, key K could be bumped back to a version a client already holds for
 * older data, and that client would never refetch (the ABA problem,
 * ARCHITECTURE.md S2).
 *
 * Versions are `max(last + 1, Date.now() * 1000)`: microseconds-since-epoch
 * resolution with a per-millisecond counter (1732271234567001 is ms 1732271234567,
 * bump 1 of that ms). A store started later starts above every version an
 * earlier process issued, provided that process did not issue versions faster
 * than 1,000 per millisecond for longer than the restart took: only then does
 * `last + 1` run ahead of the clock, and it runs ahead by (excess bumps / 1000) ms.
 * Within one process, every generator also shares one high-water mark, so a
 * new store instance (a "restart" in tests, or a store rebuilt after a config
 * reload) never reissues a version, whatever the bump rate.
 *
 * Date.now() * 1000 stays below Number.MAX_SAFE_INTEGER until about year 2255.
 */

let processHighWater = 0

/**
 * Options of {@link createVersionClock}; `now` is injectable for tests.
 *
 * @example
 * createVersionClock({ now: () => 1732271234567, shareProcessHighWater: false })
 */
export interface VersionClockOptions {
  /** Milliseconds since the epoch. Defaults to `Date.now`. */
  now?: () => number
  /**
   * Share the process-wide high-water mark (default `true`). Tests of the
   * restart argument turn it off to simulate a fresh process.
   */
  shareProcessHighWater?: boolean
}

/**
 * Returns a function that hands out strictly increasing, never-repeating
 * versions (see the file comment for why they are clock based).
 *
 * @example
 * const next = createVersionClock()
 * const a = next() // e.g. 1732271234567000
 * const b = next() // > a
 */
export function createVersionClock(options: VersionClockOptions = {}): () => number {
  const now = options.now ?? Date.now
  const shared = options.shareProcessHighWater ?? true
  let last = 0
  return () => {
    const floor = shared ? Math.max(last, processHighWater) : last
    const version = Math.max(floor + 1, Math.floor(now()) * 1000)
    if (!Number.isSafeInteger(version)) throw new RangeError('Version clock overflow: versions must stay safe integers.')
    last = version
    if (shared && version > processHighWater) processHighWater = version
    return version
  }
}
