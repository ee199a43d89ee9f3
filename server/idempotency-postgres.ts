import type { Pool } from 'pg'
import type { IdempotencyClaim, IdempotencyStore } from './idempotency.js'

/**
 * Options of {@link postgresIdempotency}.
 *
 * @example
 * postgresIdempotency({ pool, table: 'myapp_idempotency' })
 */
export interface PostgresIdempotencyOptions {
  /** A `pg` Pool. The store never ends it (it is yours). */
  pool: Pool
  /** Table of keys, created on first use. Default `reality_idempotency`. */
  table?: string
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,50}$/
/** Expired rows are deleted by a claim at most this often per instance, ms. */
const SWEEP_EVERY = 60_000

/**
 * Idempotency keys in PostgreSQL, shared by every server instance
 * (`idempotentWrites({ store })`): one row per key with an expiry (the
 * database's clock). The first `INSERT … ON CONFLICT` of a key wins (an
 * expired row is taken over in the same statement); the result is stored as
 * JSON text, kept for the ttl; a failed write deletes its row. Expired rows
 * are swept by claims, at most once a minute per instance. Results must be
 * JSON-serialisable.
 *
 * @example
 * import pg from 'pg'
 * import { idempotentWrites } from 'reality/server'
 * import { postgresIdempotency } from 'reality/server/postgres'
 *
 * const writes = idempotentWrites({ store: postgresIdempotency({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) }) })
 */
export function postgresIdempotency(options: PostgresIdempotencyOptions): IdempotencyStore {
  const { pool } = options
  if (!pool || typeof pool.query !== 'function') {
    throw new TypeError('postgresIdempotency({ pool }) needs a pg Pool: postgresIdempotency({ pool: new pg.Pool({ connectionString }) }).')
  }
  const table = options.table ?? 'reality_idempotency'
  if (typeof table !== 'string' || !IDENTIFIER.test(table)) {
    throw new TypeError(`postgresIdempotency: ${JSON.stringify(table)} is not a plain lower-case SQL identifier (letters, digits, _).`)
  }
  let ready: Promise<unknown> | undefined
  let lastSweep = 0

  // Created once per instance, under an advisory lock: concurrent CREATE …
  // IF NOT EXISTS from several instances can otherwise collide in the catalog.
  const migrate = () =>
    (ready ??= pool
      .query(
        `DO $$ BEGIN PERFORM pg_advisory_xact_lock(hashtext('${table}')); ` +
          `CREATE TABLE IF NOT EXISTS ${table} (key text PRIMARY KEY, owner text, result text, expires_at timestamptz NOT NULL); END $$`,
      )
      .catch((error: unknown) => {
        ready = undefined
        throw error
      }))

  return {
    async claim(key, lease): Promise<IdempotencyClaim> {
      await migrate()
      if (Date.now() - lastSweep > SWEEP_EVERY) {
        lastSweep = Date.now()
        await pool.query(`DELETE FROM ${table} WHERE expires_at <= now()`)
      }
      const owner = crypto.randomUUID()
      for (;;) {
        // Inserted, or an expired row taken over: this caller runs the write.
        const taken = await pool.query(
          `INSERT INTO ${table} (key, owner, result, expires_at) VALUES ($1, $2, NULL, now() + $3 * interval '1 millisecond')
           ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, result = NULL, expires_at = excluded.expires_at
           WHERE ${table}.expires_at <= now()
           RETURNING key`,
          [key, owner, lease],
        )
        if (taken.rowCount) return { state: 'claimed', owner }
        const held = await pool.query<{ result: string | null }>(`SELECT result FROM ${table} WHERE key = $1 AND expires_at > now()`, [key])
        const row = held.rows[0]
        if (!row) continue // it expired or was released in between: try to take it again
        if (row.result === null) return { state: 'running' }
        return { state: 'done', result: (JSON.parse(row.result) as { result?: unknown }).result }
      }
    },
    async finish(key, owner, result, ttl) {
      // Wrapped, so `undefined` (no body) round-trips too.
      await pool.query(`UPDATE ${table} SET owner = NULL, result = $3, expires_at = now() + $4 * interval '1 millisecond' WHERE key = $1 AND owner = $2`, [
        key,
        owner,
        JSON.stringify({ result }),
        ttl,
      ])
    },
    async release(key, owner) {
      await pool.query(`DELETE FROM ${table} WHERE key = $1 AND owner = $2 AND result IS NULL`, [key, owner])
    },
  }
}
