import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installPgTrigger, pgTriggerSql, pgTriggerUninstallSql, uninstallPgTrigger } from './postgres-trigger.js'
import { createPools, psql, startPostgresInstance, uniqueName, watchKey, type PostgresInstance } from './postgres-test-kit.js'
import { POSTGRES_URL, serviceMissing, until } from './test-services.js'

describe('pgTriggerSql: quoting and bad input', () => {
  it('quotes table, schema and names, so any identifier is safe', () => {
    const { install, uninstall } = pgTriggerSql({ schema: 'my "app"', table: 'Order Items"; DROP TABLE x; --', keys: "'order:' || order_id" })
    expect(install).toContain('"my ""app"""."Order Items""; DROP TABLE x; --"')
    expect(install).not.toMatch(/[^"]"; DROP TABLE x/)
    expect(uninstall).toContain('DROP FUNCTION IF EXISTS "my ""app""".')
  })

  it('fuzz: any table name either is refused with a TypeError or comes out as one quoted identifier that reads back as itself', () => {
    const alphabet = ['a', 'Z', '"', "'", ';', ' ', '-', '.', '\\', '$', 'é', '\u0000', '(', ')', '`', '\n']
    for (let run = 0; run < 2000; run++) {
      const table = Array.from({ length: Math.floor(Math.random() * 12) }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('')
      let sql: string
      try {
        sql = pgTriggerSql({ table, keys: 'room' }).uninstall
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError)
        continue
      }
      expect(table).not.toMatch(/[\u0000-\u001f]/)
      const quoted = /ON ("(?:[^"]|"")*");/.exec(sql)![1]!
      expect(quoted.slice(1, -1).replaceAll('""', '"')).toBe(table)
    }
  })

  it.each([
    [{ table: 'public.messages', keys: 'room' }, /pass the schema separately: \{ schema: 'public', table: 'messages' \}/],
    [{ table: '', keys: 'room' }, /table must be a non-empty string/],
    [{ table: 'a\u0000b', keys: 'room' }, /control character/],
    [{ table: 'a\nDROP TABLE users;', keys: 'room' }, /control character/],
    [{ table: 'x'.repeat(64), keys: 'room' }, /63-byte identifier limit/],
    [{ table: 'messages', keys: [] }, /keys must be one or more SQL expressions/],
    [{ table: 'messages', keys: ['  '] }, /non-empty SQL string/],
    [{ table: 'messages', keys: "'a'; DROP TABLE messages" }, /must be one SQL expression \(no ";"/],
    [{ table: 'messages', keys: '$reality$ x' }, /must be one SQL expression/],
    [{ table: 'messages', keys: "'chat:room:' || NEW.room_id" }, /write the columns bare, without NEW\.\/OLD\./],
    [{ table: 'messages', keys: 'room', versionsTable: 'Versions; x' }, /pgTrigger: "Versions; x" is not a plain lower-case SQL identifier/],
    [{ table: 'messages', keys: 'room', name: 'n'.repeat(60) }, /63-byte identifier limit/],
    [null, /options must be an object/],
  ])('refuses %j with a clear error', (options, message) => {
    expect(() => pgTriggerSql(options as never)).toThrow(message)
  })
})

const missing = await serviceMissing('PostgreSQL')
const versionsTable = uniqueName('reality_trg_versions')
const dataTable = uniqueName('Reality Trg "Messages"') // quotes and spaces on purpose
const quotedData = `"${dataTable.replaceAll('"', '""')}"`
const pools = createPools(uniqueName('reality_trg'))
const trigger = { table: dataTable, keys: ["'chat:room:' || room", "'chat:rooms'"], versionsTable, name: uniqueName('reality_trg') }

if (missing) {
  describe.skip(`database triggers (skipped: ${missing})`, () => {
    it('needs PostgreSQL', () => {})
  })
} else {
  let instance: PostgresInstance
  const admin = pools.open()
  const rows = async (room: string) => (await admin.query(`SELECT text FROM ${quotedData} WHERE room = $1 ORDER BY id`, [room])).rows.map((row) => row.text as string)

  /** Notifications per key on the versions channel, heard by a LISTEN of its own. */
  async function listen() {
    const client = new pg.Client({ connectionString: POSTGRES_URL, application_name: pools.applicationName })
    await client.connect()
    const heard = new Map<string, number>()
    client.on('notification', (message) => {
      for (const change of JSON.parse(message.payload!) as { key: string }[]) heard.set(change.key, (heard.get(change.key) ?? 0) + 1)
    })
    await client.query(`LISTEN ${versionsTable}`)
    return {
      heard,
      /** Waits until everything committed so far was heard: notifications arrive in commit order, so a marker sent after them arrives last. */
      async settle() {
        const marker = uniqueName('marker')
        await psql(`SELECT pg_notify('${versionsTable}', '[{"key":"${marker}"}]')`)
        await until(() => heard.has(marker))
        heard.delete(marker)
      },
      close: () => client.end(),
    }
  }

  function holdRequest(known: Record<string, number>) {
    return fetch(instance.server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ v: 1, known, wait: 25_000 }),
    }).then((response) => response.json() as Promise<{ changed: Record<string, { version: number }> }>)
  }

  beforeAll(async () => {
    await admin.query(`CREATE TABLE ${quotedData} (id serial PRIMARY KEY, room text, text text NOT NULL)`)
    await installPgTrigger(admin, trigger)
    await installPgTrigger(admin, trigger) // idempotent
    instance = await startPostgresInstance(pools.open(), versionsTable)
  })
  afterAll(async () => {
    await instance?.close()
    await uninstallPgTrigger(admin, trigger)
    await admin.query(`DROP TABLE IF EXISTS ${quotedData}; DROP TABLE IF EXISTS ${versionsTable}; DROP SEQUENCE IF EXISTS ${versionsTable}_seq`)
    await pools.endAll()
  })

  describe('database triggers (real PostgreSQL, writes through the real psql binary)', { timeout: 60_000 }, () => {
    it('a psql INSERT wakes a store held on the key of the new row', async () => {
      const room = uniqueName('room')
      const watcher = watchKey(instance.server.endpoint, `chat:room:${room}`, () => rows(room))
      try {
        await watcher.until((list) => list.length === 0)
        await watcher.held(instance.server)
        await psql(`INSERT INTO ${quotedData} (room, text) VALUES ('${room}', 'from psql')`)
        await watcher.until((list) => list.includes('from psql'))
      } finally {
        watcher.close()
      }
    })

    it('a psql UPDATE moving a row between keys wakes both; a DELETE wakes its key', async () => {
      const [from, to] = [uniqueName('room'), uniqueName('room')]
      await admin.query(`INSERT INTO ${quotedData} (room, text) VALUES ($1, 'moving')`, [from])
      const keys = [`chat:room:${from}`, `chat:room:${to}`]
      let known = await instance.server.reality.getVersions(keys)
      let answer = holdRequest(known)
      await until(() => instance.server.reality.stats().waiters === 1)
      await psql(`UPDATE ${quotedData} SET room = '${to}' WHERE room = '${from}'`)
      let changed = (await answer).changed
      // One statement's bump of both keys commits at once; both arrive in one answer or the next.
      if (Object.keys(changed).length === 1) changed = { ...changed, ...(await holdRequest({ ...known, ...Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, v.version])) })).changed }
      expect(Object.keys(changed).sort()).toEqual([...keys].sort())

      known = await instance.server.reality.getVersions(keys)
      answer = holdRequest(known)
      await until(() => instance.server.reality.stats().waiters === 1)
      await psql(`DELETE FROM ${quotedData} WHERE room = '${to}'`)
      expect(Object.keys((await answer).changed)).toEqual([`chat:room:${to}`])
      expect(await rows(to)).toEqual([])
    })

    it('a rolled-back psql transaction bumps nothing', async () => {
      const room = uniqueName('room')
      const before = await instance.server.reality.getVersions([`chat:room:${room}`])
      await psql(`BEGIN; INSERT INTO ${quotedData} (room, text) VALUES ('${room}', 'never'); ROLLBACK;`)
      expect(await instance.server.reality.getVersions([`chat:room:${room}`])).toEqual(before)
    })

    it('a 10,000-row statement bumps each distinct key once (statement-level batching)', async () => {
      const prefix = uniqueName('bulk')
      const listener = await listen()
      try {
        await psql(`INSERT INTO ${quotedData} (room, text) SELECT '${prefix}_' || (g % 10), 'bulk' FROM generate_series(1, 10000) AS g`)
        const expected = new Map([...Array.from({ length: 10 }, (_, i) => [`chat:room:${prefix}_${i}`, 1] as const), ['chat:rooms', 1]])
        await listener.settle()
        expect(new Map([...listener.heard].filter(([key]) => expected.has(key)))).toEqual(expected)

        // An UPDATE of the same 10,000 rows, moving them all to one room: 10 old keys, 1 new, and chat:rooms — each once.
        listener.heard.clear()
        await psql(`UPDATE ${quotedData} SET room = '${prefix}_all' WHERE room LIKE '${prefix}\\_%'`)
        expected.set(`chat:room:${prefix}_all`, 1)
        await listener.settle()
        expect(new Map([...listener.heard].filter(([key]) => expected.has(key)))).toEqual(expected)
      } finally {
        await listener.close()
      }
    })

    it('refuses, at install, key expressions the table cannot evaluate — and leaves the connection usable', async () => {
      const single = pools.open(1)
      await expect(installPgTrigger(single, { ...trigger, keys: "'chat:room:' || no_such_column" })).rejects.toThrow(/no_such_column/)
      expect((await single.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }])
    })

    it('uninstalls idempotently; afterwards writes bump nothing', async () => {
      const other = uniqueName('reality_trg_other')
      const otherTrigger = { ...trigger, table: other, name: other }
      await admin.query(`CREATE TABLE ${other} (id serial PRIMARY KEY, room text, text text)`)
      try {
        await installPgTrigger(admin, otherTrigger)
        await uninstallPgTrigger(admin, otherTrigger)
        await uninstallPgTrigger(admin, otherTrigger)
        const room = uniqueName('room')
        const before = await instance.server.reality.getVersions([`chat:room:${room}`])
        await psql(`INSERT INTO ${other} (room, text) VALUES ('${room}', 'x')`)
        expect(await instance.server.reality.getVersions([`chat:room:${room}`])).toEqual(before)
        expect(pgTriggerUninstallSql(otherTrigger)).toBe(pgTriggerSql(otherTrigger).uninstall)
      } finally {
        await admin.query(`DROP TABLE ${other}`)
      }
    })
  })
}
