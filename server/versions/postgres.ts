import type { Pool } from 'pg'
import type { BumpMeta, ChangeListener, SubscribeOptions, VersionChange, VersionEntry, VersionStore } from '../version-store.js'
import { createFanout } from './fanout.js'
import { connectGuarded, type GuardedClient } from './pg-connect.js'
import { runBump, versionEntry as entry, versionsSequenceDdl, versionsTableDdl, versionsTableNames } from './postgres-sql.js'
import { bumpInTransaction, type PostgresVersionStore } from './postgres-transaction.js'

export type { PostgresVersionStore } from './postgres-transaction.js'
export type { PostgresQueryable } from './postgres-sql.js'
export { postgresIdempotency, type PostgresIdempotencyOptions } from '../idempotency-postgres.js'
export { postgresOutbox, type PostgresOutbox, type PostgresOutboxOptions } from './postgres-outbox.js'
export { installPgTrigger, pgTriggerSql, pgTriggerUninstallSql, uninstallPgTrigger, type PgClientSource, type PgTriggerOptions, type PgTriggerSql, type PgTriggerTarget } from './postgres-trigger.js'

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

const CONNECT_TIMEOUT_MS = 5000

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
export function postgresVersions(options: PostgresVersionsOptions): PostgresVersionStore {
  const { pool } = options
  if (!pool || typeof pool.query !== 'function' || typeof pool.connect !== 'function') {
    throw new TypeError('postgresVersions({ pool }) needs a pg Pool: postgresVersions({ pool: new pg.Pool({ connectionString }) }).')
  }
  const names = versionsTableNames(options.table, options.channel)
  const { table, channel } = names
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
        await client.query(versionsSequenceDdl(names))
        await client.query(versionsTableDdl(names))
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
      if (!unique.length) return new Map<string, VersionEntry>()
      await migrate()
      return runBump(pool, names, unique, meta)
    },

    async bumpIn(client, keys, bumpOptions) {
      assertOpen()
      await migrate()
      return bumpInTransaction(client, names, keys, bumpOptions)
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
