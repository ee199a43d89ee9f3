import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPools, startPostgresInstance, startScript, uniqueName, watchKey, type PostgresInstance } from './postgres-test-kit.js'
import { serviceMissing, until } from './test-services.js'

const missing = await serviceMissing('PostgreSQL')
const versionsTable = uniqueName('reality_tx_versions')
const dataTable = uniqueName('reality_tx_messages')
const pools = createPools(uniqueName('reality_tx'))

if (missing) {
  describe.skip(`versions.bumpIn (skipped: ${missing})`, () => {
    it('needs PostgreSQL', () => {})
  })
} else {
  let reader: PostgresInstance // the instance holding clients' requests
  let writer: PostgresInstance // another instance, where the app writes
  const admin = pools.open()
  const rows = async (room: string) => (await admin.query(`SELECT text FROM ${dataTable} WHERE room = $1 ORDER BY id`, [room])).rows.map((row) => row.text as string)
  const version = async (key: string) => (await reader.versions.read([key])).get(key)!.version

  beforeAll(async () => {
    await admin.query(`CREATE TABLE ${dataTable} (id serial PRIMARY KEY, room text NOT NULL, text text NOT NULL)`)
    reader = await startPostgresInstance(pools.open(), versionsTable)
    writer = await startPostgresInstance(pools.open(), versionsTable)
  })
  afterAll(async () => {
    await reader?.close()
    await writer?.close()
    await admin.query(`DROP TABLE IF EXISTS ${dataTable}; DROP TABLE IF EXISTS ${versionsTable}; DROP SEQUENCE IF EXISTS ${versionsTable}_seq`)
    await pools.endAll()
  })

  /** The app's write: a row and its key's bump in one transaction, on the writer instance's pool. */
  async function writeInTransaction(room: string, text: string, finish: 'COMMIT' | 'ROLLBACK', beforeFinish?: () => Promise<void>) {
    const client = await pools.open(2).connect()
    try {
      await client.query('BEGIN')
      await client.query(`INSERT INTO ${dataTable} (room, text) VALUES ($1, $2)`, [room, text])
      const bumped = await writer.versions.bumpIn(client, [room])
      await beforeFinish?.()
      await client.query(finish)
      return bumped.get(room)!.version
    } finally {
      client.release()
    }
  }

  describe('versions.bumpIn (real PostgreSQL, two server instances)', () => {
    it('wakes a store held on another instance only after COMMIT, with the committed row', async () => {
      const room = uniqueName('room')
      const watcher = watchKey(reader.server.endpoint, room, () => rows(room))
      try {
        await watcher.until((list) => list.length === 0)
        await watcher.held(reader.server)
        const fetchesBefore = watcher.fetches()
        const committed = await writeInTransaction(room, 'hello', 'COMMIT', async () => {
          // Inside the transaction: nobody else sees the row or the new version yet.
          expect(await rows(room)).toEqual([])
          expect(await version(room)).toBe(0)
          expect(reader.server.reality.stats().waiters).toBe(1)
        })
        await watcher.until((list) => list.includes('hello'))
        expect(watcher.fetches()).toBe(fetchesBefore + 1)
        expect(await version(room)).toBe(committed)
      } finally {
        watcher.close()
      }
    })

    it('a rollback changes no version and wakes nobody', async () => {
      const [rolledBack, control] = [uniqueName('room'), uniqueName('room')]
      const before = await reader.server.reality.getVersions([rolledBack, control])
      // One raw held request on both keys: notifications arrive in commit
      // order, so if the rolled-back bump could wake anyone, it would show
      // up in this answer before the later, committed bump of `control`.
      const held = fetch(reader.server.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ v: 1, known: before, wait: 25_000 }),
      })
      await until(() => reader.server.reality.stats().waiters === 1)
      await writeInTransaction(rolledBack, 'never', 'ROLLBACK')
      expect(await rows(rolledBack)).toEqual([])
      expect(await version(rolledBack)).toBe(before[rolledBack])
      const controlVersion = await writeInTransaction(control, 'committed', 'COMMIT')
      const answer = await (await held).json()
      expect(answer.changed).toEqual({ [control]: { version: controlVersion } })
    })

    it('refuses bad keys and options before touching the transaction', async () => {
      const client = { query: async () => ({ rows: [] }) }
      await expect(writer.versions.bumpIn(client, [''])).rejects.toThrow(/bumpIn: "" is not a valid key/)
      await expect(writer.versions.bumpIn(client, 42 as never)).rejects.toThrow(/bumpIn\(keys\) takes a key or an array of keys/)
      await expect(writer.versions.bumpIn(client, ['a'], { payload: 'x'.repeat(9000) })).rejects.toThrow(/bumpIn: payload is 9002 bytes/)
      await expect(writer.versions.bumpIn(undefined as never, ['a'])).rejects.toThrow(/needs your pg client, inside your transaction/)
    })
  })

  describe('a writer process SIGKILLed around COMMIT (real child process)', { timeout: 60_000 }, () => {
    for (const committed of [false, true]) {
      it(committed ? 'killed after COMMIT: the row and the new version are both there, and held requests woke' : 'killed before COMMIT: neither the row nor a new version, and nobody woke', async () => {
        const [room, control] = [uniqueName('room'), uniqueName('room')]
        const before = await reader.server.reality.getVersions([room, control])
        const held = fetch(reader.server.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ v: 1, known: before, wait: 25_000 }),
        })
        await until(() => reader.server.reality.stats().waiters === 1)
        const applicationName = uniqueName('reality_tx_child')
        const child = startScript('server/versions/test-transaction-writer.ts', {
          DATA_TABLE: dataTable,
          VERSIONS_TABLE: versionsTable,
          KEY: room,
          COMMIT_BEFORE_KILL: committed ? 'yes' : 'no',
          APPLICATION_NAME: applicationName,
        })
        try {
          await child.line('ready')
        } finally {
          await child.kill()
        }
        // Postgres sees the dead client's socket close and ends its backend (rolling back an open transaction).
        await until(async () => (await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName])).rows[0].n === 0, 20_000)
        if (committed) {
          expect(await rows(room)).toEqual(['from the child'])
          expect(await version(room)).toBeGreaterThan(before[room]!)
          expect((await (await held).json()).changed[room].version).toBe(await version(room))
        } else {
          expect(await rows(room)).toEqual([])
          expect(await version(room)).toBe(before[room])
          const controlVersion = await writeInTransaction(control, 'committed', 'COMMIT')
          expect((await (await held).json()).changed).toEqual({ [control]: { version: controlVersion } })
        }
      })
    }
  })
}
