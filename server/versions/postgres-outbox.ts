/**
 * At-least-once invalidation when versions live elsewhere (Redis, memory)
 * but the data lives in Postgres: the app writes "these keys changed" into
 * a small outbox table in the same transaction as the data, and any server
 * instance drains the outbox into `invalidate()`. An entry is deleted only
 * after `invalidate()` succeeded, in the transaction that claimed it, so a
 * process dying anywhere — after the app's commit, in the middle of a drain
 * — leaves the entry for the next drain. The price is rare duplicates (a
 * key bumped twice: clients refetch once more), never a lost invalidation.
 */
import type { Pool, PoolClient } from 'pg'
import { DEFAULT_LIMITS } from '../../protocol/limits.js'
import { bumpMeta, normalizeKeys, type InvalidateOptions } from '../writes.js'
import { createFanout } from './fanout.js'
import { versionsTableNames, type PostgresQueryable } from './postgres-sql.js'

/**
 * Options of {@link postgresOutbox}.
 *
 * @example
 * const options: PostgresOutboxOptions = { pool, invalidate: reality.invalidate }
 */
export interface PostgresOutboxOptions {
  /** The app's `pg` Pool (never ended by the outbox). */
  pool: Pool
  /** Where drained keys go: your server's `invalidate`. Throwing keeps the entries for the next drain. */
  invalidate: (keys: string[], options?: InvalidateOptions) => Promise<unknown>
  /** Outbox table, created on first use. Default `reality_outbox`; its NOTIFY channel has the same name. */
  table?: string
  /** Entries claimed per drain transaction. Default 100. */
  batchSize?: number
  /** While started, drain this often even without a notification (ms). Default 5,000. */
  pollInterval?: number
  /** Receives drain failures (the entries stay and are retried). Default `console.error`. */
  onError?: (error: unknown) => void
}

/**
 * An outbox; see {@link postgresOutbox}.
 *
 * @example
 * const outbox: PostgresOutbox = postgresOutbox({ pool, invalidate: reality.invalidate })
 */
export interface PostgresOutbox {
  /** Records `keys` on `client`, inside the app's transaction: they are invalidated after it commits, at least once. */
  add(client: PostgresQueryable, keys: string | readonly string[], options?: InvalidateOptions): Promise<void>
  /** Delivers every pending entry now; resolves to how many were delivered. */
  drain(): Promise<number>
  /** Drains at once, on every commit that adds entries (LISTEN), and every `pollInterval`. */
  start(): Promise<void>
  /** Stops listening and polling (a drain in progress finishes). */
  stop(): Promise<void>
}

interface OutboxRow {
  id: string
  keys: string[]
  hash: string | null
  payload: unknown
}

/**
 * Creates an outbox over the app's Postgres.
 *
 * @example
 * const outbox = postgresOutbox({ pool, invalidate: (keys, options) => reality.invalidate(keys, options) })
 * await outbox.start() // on every server instance
 *
 * const client = await pool.connect()
 * await client.query('BEGIN')
 * await client.query('INSERT INTO messages (room, text) VALUES ($1, $2)', ['general', 'hi'])
 * await outbox.add(client, ['chat:room:general'])
 * await client.query('COMMIT') // a drainer on some instance invalidates the key, even if this process dies now
 * client.release()
 */
export function postgresOutbox(options: PostgresOutboxOptions): PostgresOutbox {
  const { pool } = options
  if (!pool || typeof pool.query !== 'function' || typeof pool.connect !== 'function') {
    throw new TypeError('postgresOutbox({ pool }) needs a pg Pool: postgresOutbox({ pool: new pg.Pool({ connectionString }), invalidate }).')
  }
  if (typeof options.invalidate !== 'function') {
    throw new TypeError('postgresOutbox({ invalidate }) needs a function: postgresOutbox({ pool, invalidate: (keys, options) => reality.invalidate(keys, options) }).')
  }
  const { table } = versionsTableNames(options.table ?? 'reality_outbox', undefined, 'postgresOutbox')
  const batchSize = options.batchSize ?? 100
  const pollInterval = options.pollInterval ?? 5000
  for (const [name, value] of [['batchSize', batchSize], ['pollInterval', pollInterval]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`postgresOutbox: ${name} must be a positive integer, got ${String(value)}.`)
  }
  const onError = options.onError ?? ((error: unknown) => console.error('[reality] outbox drain failed; the entries stay and are retried', error))
  let ready: Promise<void> | undefined
  let draining: Promise<number> | undefined
  let rerun: Promise<number> | undefined
  let timer: ReturnType<typeof setInterval> | undefined
  let stopListening: (() => void) | undefined

  const migrate = () =>
    (ready ??= (async () => {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [table])
        await client.query(`CREATE TABLE IF NOT EXISTS ${table} (id bigserial PRIMARY KEY, keys text[] NOT NULL, hash text, payload jsonb, created_at timestamptz NOT NULL DEFAULT now())`)
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        ready = undefined
        throw error
      } finally {
        client.release()
      }
    })())

  /** One transaction: claim a batch (skipping what other drainers hold), invalidate, delete. */
  async function drainBatch(): Promise<number> {
    const client: PoolClient = await pool.connect()
    try {
      await client.query('BEGIN')
      const { rows } = await client.query<OutboxRow>(`SELECT id::text AS id, keys, hash, payload FROM ${table} ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, [batchSize])
      // Plain entries are merged into one invalidate; entries with a hash or payload keep theirs.
      const plainKeys = new Set<string>()
      for (const row of rows) {
        if (row.hash === null && row.payload === null) {
          for (const key of row.keys) plainKeys.add(key)
        } else {
          const meta: InvalidateOptions = {}
          if (row.hash !== null) meta.hash = row.hash
          if (row.payload !== null) meta.payload = row.payload
          await options.invalidate(row.keys, meta)
        }
      }
      if (plainKeys.size) await options.invalidate([...plainKeys])
      if (rows.length) await client.query(`DELETE FROM ${table} WHERE id = ANY($1::bigint[])`, [rows.map((row) => row.id)])
      await client.query('COMMIT')
      client.release()
      return rows.length
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      client.release()
      throw error
    }
  }

  async function drainAll(): Promise<number> {
    await migrate()
    let delivered = 0
    for (;;) {
      const count = await drainBatch()
      delivered += count
      if (count < batchSize) return delivered
    }
  }

  // One drain at a time per instance; asked during one, another runs right after it
  // (shared by every caller meanwhile), so what committed before the call is delivered.
  function drain(): Promise<number> {
    if (!draining) {
      draining = drainAll().finally(() => (draining = undefined))
      return draining
    }
    rerun ??= draining
      .catch(() => 0)
      .then(() => {
        rerun = undefined
        return drain()
      })
    return rerun
  }

  function drainInBackground(): void {
    drain().catch(onError)
  }

  // The LISTEN connection, shared and reopened with backoff like the version stores' (fanout.ts).
  const notifications = createFanout({
    async open(deliver, _gap, lost) {
      await migrate()
      const client = await pool.connect()
      const onNotification = (message: { channel: string }) => {
        if (message.channel === table) deliver([])
      }
      let closed = false
      const onConnectionError = (error: Error) => {
        if (closed) return
        closed = true
        client.off('notification', onNotification)
        client.release(error)
        lost()
      }
      client.on('notification', onNotification)
      client.on('error', onConnectionError)
      try {
        await client.query(`LISTEN ${table}`)
      } catch (error) {
        client.off('notification', onNotification)
        client.off('error', onConnectionError)
        client.release(true)
        throw error
      }
      return async () => {
        if (closed) return
        closed = true
        client.off('notification', onNotification)
        try {
          await client.query(`UNLISTEN ${table}`)
          client.off('error', onConnectionError)
          client.release()
        } catch (error) {
          client.off('error', onConnectionError)
          client.release(error as Error)
        }
      }
    },
  })

  return {
    async add(client, keys, addOptions) {
      if (!client || typeof client.query !== 'function') {
        throw new TypeError('outbox.add(client, keys) needs your pg client, inside your transaction: await outbox.add(client, ["chat:room:general"]).')
      }
      const list = normalizeKeys('outbox.add', keys, DEFAULT_LIMITS.maxKeyLength)
      const meta = bumpMeta(addOptions, DEFAULT_LIMITS, 'outbox.add')
      if (!list.length) return
      await migrate()
      await client.query(`WITH added AS (INSERT INTO ${table} (keys, hash, payload) VALUES ($1::text[], $2, $3::jsonb) RETURNING id) SELECT pg_notify($4, '') FROM added`, [
        list,
        meta?.hash ?? null,
        meta?.payload === undefined ? null : JSON.stringify(meta.payload),
        table,
      ])
    },

    drain,

    async start() {
      if (stopListening) return
      // Listening first, then a drain: nothing committed in between is missed.
      stopListening = await notifications.add(drainInBackground, drainInBackground)
      timer = setInterval(drainInBackground, pollInterval)
      drainInBackground()
    },

    async stop() {
      clearInterval(timer)
      timer = undefined
      stopListening?.()
      stopListening = undefined
      await notifications.close()
      await draining?.catch(() => {})
    },
  }
}
