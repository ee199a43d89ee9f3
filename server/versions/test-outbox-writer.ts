/**
 * Child process of the outbox test: writes a row and its outbox entry in one
 * transaction, commits, prints `committed` and waits to be SIGKILLed — it
 * never calls invalidate(); only the outbox can deliver the keys.
 */
import pg from 'pg'
import { postgresOutbox } from './postgres-outbox.js'
import { POSTGRES_URL } from './test-services.js'

const { DATA_TABLE, OUTBOX_TABLE, KEY, APPLICATION_NAME } = process.env
const pool = new pg.Pool({ connectionString: POSTGRES_URL, application_name: APPLICATION_NAME ?? 'reality_test_outbox_writer' })
const outbox = postgresOutbox({
  pool,
  table: OUTBOX_TABLE!,
  invalidate: async () => {
    throw new Error('the writer never invalidates: it is killed first')
  },
})
const client = await pool.connect()
await client.query('BEGIN')
await client.query(`INSERT INTO ${DATA_TABLE} (room, text) VALUES ($1, $2)`, [KEY, 'from the killed writer'])
await outbox.add(client, [KEY!])
await client.query('COMMIT')
console.log('committed')
setInterval(() => {}, 60_000) // waits for SIGKILL
