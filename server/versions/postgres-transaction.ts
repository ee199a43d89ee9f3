/**
 * Bumps that are part of the application's own write: `versions.bumpIn(client, keys)`
 * runs the bump on the app's `pg` client, inside the app's `BEGIN … COMMIT`.
 * The version upsert commits or rolls back with the data, and NOTIFY is
 * transactional, so held requests on every instance wake only after commit —
 * and a process that dies before commit leaves neither the data nor the bump.
 */
import { DEFAULT_LIMITS } from '../../protocol/limits.js'
import type { VersionEntry, VersionStore } from '../version-store.js'
import { bumpMeta, normalizeKeys, type InvalidateOptions } from '../writes.js'
import { runBump, type PostgresQueryable, type VersionsTableNames } from './postgres-sql.js'

/**
 * What {@link postgresVersions} returns: a {@link VersionStore} that can also
 * bump inside the application's transaction.
 *
 * @example
 * const versions: PostgresVersionStore = postgresVersions({ pool })
 */
export interface PostgresVersionStore extends VersionStore {
  /**
   * Bumps `keys` on `client` — the app's own connection, inside its
   * `BEGIN … COMMIT` — so the new versions commit or roll back with the
   * data written in that transaction. Nobody is woken before `COMMIT`; after
   * it, held requests on every instance are. Resolves to the new versions as
   * seen inside the transaction (they become visible to others at commit).
   *
   * Keys and options are checked like `invalidate` (default protocol limits:
   * keys ≤ 256 characters, payload ≤ 8 KiB of JSON). Called outside a
   * transaction it commits on its own, like `bump`.
   *
   * The bump locks the version rows of `keys` until the transaction ends:
   * concurrent transactions bumping the same key take turns, so keep such
   * transactions short.
   *
   * @example
   * const client = await pool.connect()
   * try {
   *   await client.query('BEGIN')
   *   await client.query('INSERT INTO messages (room, text) VALUES ($1, $2)', ['general', 'hi'])
   *   await versions.bumpIn(client, ['chat:room:general'])
   *   await client.query('COMMIT') // held requests on every instance wake now
   * } catch (error) {
   *   await client.query('ROLLBACK') // nobody wakes, no version changes
   *   throw error
   * } finally {
   *   client.release()
   * }
   */
  bumpIn(client: PostgresQueryable, keys: string | readonly string[], options?: InvalidateOptions): Promise<Map<string, VersionEntry>>
  /** Live subscriptions on this instance (diagnostics). */
  subscriberCount(): number
}

/**
 * The body of `bumpIn`: checks the keys and options, then runs the shared
 * bump statement on the app's client.
 *
 * @example
 * await bumpInTransaction(client, versionsTableNames(), ['chat:room:general'])
 */
export async function bumpInTransaction(
  client: PostgresQueryable,
  names: VersionsTableNames,
  keys: string | readonly string[],
  options?: InvalidateOptions,
): Promise<Map<string, VersionEntry>> {
  if (!client || typeof client.query !== 'function') {
    throw new TypeError('bumpIn(client, keys) needs your pg client, inside your transaction: await versions.bumpIn(client, ["chat:room:general"]).')
  }
  const list = normalizeKeys('bumpIn', keys, DEFAULT_LIMITS.maxKeyLength)
  const meta = bumpMeta(options, DEFAULT_LIMITS, 'bumpIn')
  return runBump(client, names, list, meta)
}
