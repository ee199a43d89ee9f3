import type { Pool } from 'pg'
import type { BumpMeta, ChangeListener, SubscribeOptions, VersionChange, VersionEntry, VersionStore } from '../version-store.js'
import { createFanout } from './fanout.js'
import { connectGuarded, type GuardedClient } from './pg-connect.js'

/** Options of {@link postgresVersions}. */
export interface PostgresVersionsOptions {
  /**
   * A `pg` Pool. The store never ends it (it is yours); while someone listens
   * it holds one of its connections for `LISTEN` and returns it afterwards.
   */
  pool: Pool
  /** Table of versions, created on first use. Default `reality_versions`. */
  table?: string
  /** NOTIFY channel. Default: the table name. */
  channel?: string
  /**
   * How long to wait for a pool connection (for `LISTEN`, and for creating
   * the table) before held requests get a 503, in ms. A connection that
   * arrives later goes straight back to the pool. Default 5,000.
   */
  connectTimeout?: number
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,50}$/
const CONNECT_TIMEOUT_MS = 5000
/** NOTIFY payloads must stay under 8,000 bytes; a key is ≤ 256 characters, so hashes are capped. */
const MAX_HASH_LENGTH = 1024

/**
 * A {@link VersionStore} in PostgreSQL, for apps that already run one:
 * versions in one table, bumps in one statement (atomic, per-key strictly
 * increasing), changes announced with NOTIFY on commit to every instance.
 *
 * Versions come from a sequence that starts at the creation time in µs, so
 * a table created anew still starts above versions clients may hold, and a
 * row's version is `greatest(old + 1, nextval)`, so two concurrent bumps of
 * one key can never leave it at the older of the two.
 *
 * Inline payloads are stored in the table, not sent in NOTIFY (8 KB limit):
 * the handler re-reads entries when it wakes.
 *
 * @example
 * import pg from 'pg'
 * import { createRealityServer } from 'reality/server'
 * import { postgresVersions } from 'reality/server/postgres'
 *
 * const versions = postgresVersions({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) })
 * const server = createRealityServer({ versions })
 */
export function postgresVersions(options: PostgresVersionsOptions): VersionStore & { subscriberCount(): number } {
  const { pool } = options
  if (!pool || typeof pool.query !== 'function' || typeof pool.connect !== 'function') {
    throw new TypeError('postgresVersions({ pool }) needs a pg Pool: postgresVersions({ pool: new pg.Pool({ connectionString }) }).')
  }
  const table = options.table ?? 'reality_versions'
  const channel = options.channel ?? table
  for (const name of [table, channel]) {
    if (!IDENTIFIER.test(name)) throw new TypeError(`postgresVersions: ${JSON.stringify(name)} is not a plain lower-case SQL identifier (letters, digits, _).`)
  }
  const sequence = `${table}_seq`
  const connectTimeout = options.connectTimeout ?? CONNECT_TIMEOUT_MS
  if (!Number.isSafeInteger(connectTimeout) || connectTimeout < 1) {
    throw new TypeError(`postgresVersions: connectTimeout must be a whole number of ms ≥ 1; got ${JSON.stringify(options.connectTimeout)}.`)
  }
  let closed = false
  let ready: Promise<void> | undefined

  // Created once, under an advisory lock: concurrent CREATE … IF NOT EXISTS
  // from several instances can otherwise collide in the catalog.
  const migrate = () =>
    (ready ??= (async () => {
      // Errors between queries (a terminated backend) must not go unheard;
      // the failing query reports them.
      const { client, release } = await connectGuarded(pool, connectTimeout, 'PostgreSQL did not give a connection in time to create the versions table.', () => {})
      let failure: Error | undefined
      try {
        await client.query('BEGIN')
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [table])
        const start = Date.now() * 1000
        await client.query(`CREATE SEQUENCE IF NOT EXISTS ${sequence} START WITH ${start} MINVALUE 1`)
        await client.query(`CREATE TABLE IF NOT EXISTS ${table} (key text PRIMARY KEY, version bigint NOT NULL, hash text, payload jsonb)`)
        await client.query('COMMIT')
      } catch (error) {
        failure = error as Error
        await client.query('ROLLBACK').catch(() => {})
        ready = undefined
        throw error
      } finally {
        release(failure) // a failed connection is discarded, not reused
      }
    })())

  const fanout = createFanout({
    async open(deliver, gap, lost) {
      await migrate()
      const onNotification = (message: { channel: string; payload?: string }) => {
        if (message.channel !== channel || !message.payload) return
        try {
          deliver(JSON.parse(message.payload) as VersionChange[])
        } catch {
          gap()
        }
      }
      // A broken LISTEN connection: the pool discards it and the fanout opens
      // a new one (listeners re-read, since notifications may be lost).
      let broken = false
      let listening = false
      // Attached at hand-over (see connectGuarded): it may run before the await below resumes.
      const onError = (error: Error, broke: GuardedClient) => {
        if (broken) return
        broken = true
        broke.client.off('notification', onNotification)
        broke.release(error)
        if (listening) lost()
      }
      const guarded = await connectGuarded(pool, connectTimeout, 'PostgreSQL did not give a LISTEN connection in time.', onError)
      const { client } = guarded
      client.on('notification', onNotification)
      try {
        await client.query(`LISTEN ${channel}`)
      } catch (error) {
        if (!broken) {
          broken = true
          client.off('notification', onNotification)
          guarded.release(true)
        }
        throw error
      }
      // Terminated between LISTEN's answer and now: the failure is already handled.
      if (broken) throw new Error('The LISTEN connection broke while opening.')
      listening = true
      return async () => {
        if (broken) return
        broken = true
        client.off('notification', onNotification)
        try {
          await client.query(`UNLISTEN ${channel}`)
          guarded.release()
        } catch (error) {
          guarded.release(error as Error) // broken: the pool discards it
        }
      }
    },
  })

  function assertOpen() {
    if (closed) throw new Error('This postgresVersions() store is closed.')
  }

  return {
    async read(keys) {
      assertOpen()
      const result = new Map<string, VersionEntry>()
      for (const key of keys) result.set(key, { version: 0 })
      if (!keys.length) return result
      await migrate()
      const { rows } = await pool.query(`SELECT key, version::text AS version, hash, payload FROM ${table} WHERE key = ANY($1::text[])`, [keys])
      for (const row of rows) result.set(row.key, entry(Number(row.version), row.hash, row.payload))
      return result
    },

    async bump(keys, meta?: BumpMeta) {
      assertOpen()
      const unique = [...new Set(keys)]
      const result = new Map<string, VersionEntry>()
      if (!unique.length) return result
      if (meta?.hash !== undefined && meta.hash.length > MAX_HASH_LENGTH) {
        throw new RangeError(`postgresVersions: hashes are limited to ${MAX_HASH_LENGTH} characters (NOTIFY payload limit); use a digest.`)
      }
      await migrate()
      const payload = meta?.payload === undefined ? null : JSON.stringify(meta.payload)
      // One statement: the upsert and the NOTIFY commit together, and
      // notifications are delivered in commit order. One NOTIFY per key keeps
      // each message far below the 8,000-byte limit.
      const { rows } = await pool.query(
        `WITH bumped AS (
           INSERT INTO ${table} AS t (key, version, hash, payload)
           SELECT k, nextval('${sequence}'), $2, $3::jsonb FROM unnest($1::text[]) AS k
           ON CONFLICT (key) DO UPDATE
             SET version = greatest(t.version + 1, excluded.version), hash = excluded.hash, payload = excluded.payload
           RETURNING key, version, hash
         )
         SELECT key, version::text AS version,
                pg_notify($4, json_build_array(json_strip_nulls(json_build_object('key', key, 'version', version, 'hash', hash)))::text)
         FROM bumped`,
        [unique, meta?.hash ?? null, payload, channel],
      )
      for (const row of rows) result.set(row.key, entry(Number(row.version), meta?.hash ?? null, meta?.payload === undefined ? null : meta.payload))
      return result
    },

    subscribe(listener: ChangeListener, subscribeOptions?: SubscribeOptions) {
      assertOpen()
      return fanout.add(listener, subscribeOptions?.onGap)
    },

    async close() {
      closed = true
      await fanout.close()
    },

    subscriberCount: () => fanout.size(),
  }
}

function entry(version: number, hash: string | null, payload: unknown): VersionEntry {
  const result: VersionEntry = { version }
  if (hash !== null && hash !== undefined) result.hash = hash
  if (payload !== null && payload !== undefined) result.payload = payload
  return result
}
