/**
 * Child process of the "killed between write and commit" tests: writes a row
 * and bumps its key with `bumpIn` inside one transaction, commits or not
 * (`COMMIT_BEFORE_KILL`), prints `ready` and waits to be SIGKILLed.
 */
import pg from 'pg'
import { postgresVersions } from './postgres.js'
import { POSTGRES_URL } from './test-services.js'

const { DATA_TABLE, VERSIONS_TABLE, KEY, COMMIT_BEFORE_KILL, APPLICATION_NAME } = process.env
const pool = new pg.Pool({ connectionString: POSTGRES_URL, application_name: APPLICATION_NAME ?? 'reality_test_writer' })
const versions = postgresVersions({ pool, table: VERSIONS_TABLE! })
const client = await pool.connect()
await client.query('BEGIN')
await client.query(`INSERT INTO ${DATA_TABLE} (room, text) VALUES ($1, $2)`, [KEY, 'from the child'])
await versions.bumpIn(client, [KEY!])
if (COMMIT_BEFORE_KILL === 'yes') await client.query('COMMIT')
console.log('ready')
setInterval(() => {}, 60_000) // waits for SIGKILL
