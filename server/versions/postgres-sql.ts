/**
 * The SQL of the Postgres version table, in one place: the store's own bumps
 * (`postgresVersions().bump`), bumps inside the app's transaction (`bumpIn`)
 * and database triggers (`pgTriggerSql`) all run the same upsert + NOTIFY, so
 * every writer hands out versions the same way (ARCHITECTURE.md S2) and
 * wakes held requests the same way (S3).
 */
import type { BumpMeta, VersionEntry } from '../version-store.js'

/**
 * Anything that runs a parameterized query: a `pg` Pool, Client or PoolClient
 * (or an adapter over another driver's transaction).
 *
 * @example
 * const client: PostgresQueryable = await pool.connect()
 */
export interface PostgresQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>
}

/**
 * Where versions live: the table, its sequence and the NOTIFY channel.
 *
 * @example
 * const names = versionsTableNames('reality_versions') // { table, sequence: 'reality_versions_seq', channel: 'reality_versions' }
 */
export interface VersionsTableNames {
  table: string
  sequence: string
  channel: string
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,50}$/

/** NOTIFY payloads must stay under 8,000 bytes; a key is ≤ 256 characters, so hashes are capped. */
export const MAX_HASH_LENGTH = 1024

/**
 * The names of a version table, checked: both must be plain lower-case
 * identifiers, so they can be spliced into SQL without quoting.
 *
 * @example
 * versionsTableNames('reality_versions', 'reality_versions')
 */
export function versionsTableNames(table = 'reality_versions', channel = table, operation = 'postgresVersions'): VersionsTableNames {
  for (const name of [table, channel]) {
    if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
      throw new TypeError(`${operation}: ${JSON.stringify(name)} is not a plain lower-case SQL identifier (letters, digits, _).`)
    }
  }
  return { table, sequence: `${table}_seq`, channel }
}

/**
 * `CREATE TABLE IF NOT EXISTS` of the version table.
 *
 * @example
 * await client.query(versionsTableDdl(names))
 */
export function versionsTableDdl(names: VersionsTableNames): string {
  return `CREATE TABLE IF NOT EXISTS ${names.table} (key text PRIMARY KEY, version bigint NOT NULL, hash text, payload jsonb)`
}

/**
 * `CREATE SEQUENCE IF NOT EXISTS` of the version sequence, starting at the
 * creation time in µs (computed by the database, so the same SQL can be
 * printed now and run later), so a table created anew still starts above
 * versions clients may hold.
 *
 * @example
 * await client.query(versionsSequenceDdl(names))
 */
export function versionsSequenceDdl(names: VersionsTableNames): string {
  return `DO $reality$ BEGIN
  EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I START WITH %s MINVALUE 1', '${names.sequence}', (extract(epoch FROM clock_timestamp()) * 1000000)::bigint);
END $reality$`
}

/**
 * The bump statement: an upsert of every key in `keysSql` (a `text[]`
 * expression) plus one NOTIFY per key, in one statement, so the versions
 * and the notifications commit — or roll back — together, and NOTIFY is
 * delivered only at commit. Keys are deduplicated and locked in sorted
 * order, so two transactions bumping overlapping keys cannot deadlock on
 * them. One NOTIFY per key keeps each message far below the 8,000-byte limit.
 *
 * Without `into` it returns a row per key; with `into` (PL/pgSQL, as in a
 * trigger) it counts the notifications into that variable — an aggregate, so
 * every row's NOTIFY runs even where only one result row would be fetched.
 *
 * @example
 * bumpStatement(names, '$1::text[]', '$2', '$3::jsonb', '$4')
 */
export function bumpStatement(names: VersionsTableNames, keysSql: string, hashSql: string, payloadSql: string, channelSql: string, into?: string): string {
  const notify = `pg_notify(${channelSql}, json_build_array(json_strip_nulls(json_build_object('key', key, 'version', version, 'hash', hash)))::text)`
  const select = into === undefined ? `SELECT key, version::text AS version, ${notify}` : `SELECT count(${notify}) INTO ${into}`
  return `WITH bumped AS (
     INSERT INTO ${names.table} AS t (key, version, hash, payload)
     SELECT k, nextval('${names.sequence}'), ${hashSql}, ${payloadSql} FROM (SELECT DISTINCT k FROM unnest(${keysSql}) AS k WHERE k IS NOT NULL ORDER BY k) AS keys
     ON CONFLICT (key) DO UPDATE
       SET version = greatest(t.version + 1, excluded.version), hash = excluded.hash, payload = excluded.payload
     RETURNING key, version, hash
   )
   ${select}
   FROM bumped`
}

/**
 * Runs one bump of `keys` (already checked) through `queryable` — the
 * store's pool, or the app's client inside its own transaction.
 *
 * @example
 * const entries = await runBump(pool, names, ['chat:room:general'], { hash: '9f2c' })
 */
export async function runBump(queryable: PostgresQueryable, names: VersionsTableNames, keys: readonly string[], meta?: BumpMeta): Promise<Map<string, VersionEntry>> {
  const result = new Map<string, VersionEntry>()
  if (!keys.length) return result
  if (meta?.hash !== undefined && meta.hash.length > MAX_HASH_LENGTH) {
    throw new RangeError(`postgresVersions: hashes are limited to ${MAX_HASH_LENGTH} characters (NOTIFY payload limit); use a digest.`)
  }
  const payload = meta?.payload === undefined ? null : JSON.stringify(meta.payload)
  const { rows } = await queryable.query(bumpStatement(names, '$1::text[]', '$2', '$3::jsonb', '$4'), [keys, meta?.hash ?? null, payload, names.channel])
  for (const row of rows) result.set(row.key, versionEntry(Number(row.version), meta?.hash ?? null, meta?.payload === undefined ? null : meta.payload))
  return result
}

/**
 * A {@link VersionEntry} from a row (SQL NULLs left out).
 *
 * @example
 * versionEntry(42, null, null) // { version: 42 }
 */
export function versionEntry(version: number, hash: string | null, payload: unknown): VersionEntry {
  const result: VersionEntry = { version }
  if (hash !== null && hash !== undefined) result.hash = hash
  if (payload !== null && payload !== undefined) result.payload = payload
  return result
}
