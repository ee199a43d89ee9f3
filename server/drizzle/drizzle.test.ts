import { drizzle } from 'drizzle-orm/node-postgres'
import { eq, sql } from 'drizzle-orm'
import { pgTable, serial, text } from 'drizzle-orm/pg-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createPools, startPostgresInstance, uniqueName, watchKey, type PostgresInstance } from '../versions/postgres-test-kit.js'
import { serviceMissing, until } from '../versions/test-services.js'
import { withInvalidation } from './index.js'

const missing = await serviceMissing('PostgreSQL')
const messagesTable = uniqueName('reality_drizzle_messages')
const logTable = uniqueName('reality_drizzle_log')
const versionsTable = uniqueName('reality_drizzle_versions')
const messages = pgTable(messagesTable, { id: serial('id').primaryKey(), roomId: text('room_id').notNull(), text: text('text').notNull() })
const log = pgTable(logTable, { id: serial('id').primaryKey(), line: text('line').notNull() })
const pools = createPools(uniqueName('reality_drizzle'))
const roomKey = (room: string) => `chat:room:${room}`

describe('withInvalidation: bad options', () => {
  it('says what to pass', () => {
    const db = drizzle.mock()
    expect(() => withInvalidation({} as never, { invalidate: async () => {}, tables: {} })).toThrow(/needs a Drizzle database/)
    expect(() => withInvalidation(db, { invalidate: undefined as never, tables: {} })).toThrow(/reality\.invalidate\(keys\)/)
    expect(() => withInvalidation(db, { invalidate: async () => {}, tables: { messages: 'room' as never } })).toThrow(/tables\.messages must be \(row\) => keys/)
  })
})

if (missing) {
  describe.skip(`reality/server/drizzle (skipped: ${missing})`, () => {
    it('needs PostgreSQL', () => {})
  })
} else {
  let instance: PostgresInstance
  const admin = pools.open()
  const rows = async (room: string) => (await admin.query(`SELECT text FROM ${messagesTable} WHERE room_id = $1 ORDER BY id`, [room])).rows.map((row) => row.text as string)
  const version = async (room: string) => (await instance.server.reality.getVersions([roomKey(room)]))[roomKey(room)]!

  /** A Drizzle database over its own pool, invalidating through the instance (spied). */
  function database(extra: { versions?: boolean } = {}) {
    const invalidate = vi.fn((keys: string[]) => instance.server.reality.invalidate(keys))
    const db = withInvalidation(drizzle(pools.open(3)), {
      invalidate,
      tables: { [messagesTable]: (row) => [roomKey(row.roomId)] },
      ...(extra.versions ? { versions: instance.versions } : {}),
    })
    return { db, invalidate }
  }

  /** A raw request held on `rooms`; resolves to the keys its answer says changed. */
  async function holdOn(rooms: string[]) {
    const known = await instance.server.reality.getVersions(rooms.map(roomKey))
    const answer = fetch(instance.server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ v: 1, known, wait: 25_000 }),
    }).then(async (response) => Object.keys(((await response.json()) as { changed: object }).changed).sort())
    await until(() => instance.server.reality.stats().waiters === 1)
    return { answer } // wrapped: an async function returning the promise itself would wait for it
  }

  beforeAll(async () => {
    await admin.query(`CREATE TABLE ${messagesTable} (id serial PRIMARY KEY, room_id text NOT NULL, text text NOT NULL); CREATE TABLE ${logTable} (id serial PRIMARY KEY, line text NOT NULL)`)
    instance = await startPostgresInstance(pools.open(), versionsTable)
  })
  afterAll(async () => {
    await instance?.close()
    await admin.query(`DROP TABLE IF EXISTS ${messagesTable}; DROP TABLE IF EXISTS ${logTable}; DROP TABLE IF EXISTS ${versionsTable}; DROP SEQUENCE IF EXISTS ${versionsTable}_seq`)
    await pools.endAll()
  })

  describe('reality/server/drizzle (real PostgreSQL, drizzle-orm/node-postgres)', { timeout: 60_000 }, () => {
    it('a Drizzle insert wakes a store held on the row’s key', async () => {
      const { db } = database()
      const room = uniqueName('room')
      const watcher = watchKey(instance.server.endpoint, roomKey(room), () => rows(room))
      try {
        await watcher.until((list) => list.length === 0)
        await watcher.held(instance.server)
        await db.insert(messages).values({ roomId: room, text: 'from drizzle' })
        await watcher.until((list) => list.includes('from drizzle'))
      } finally {
        watcher.close()
      }
    })

    it('maps returned rows on insert, update (the row’s new key) and delete; leaves unmapped tables alone', async () => {
      const { db, invalidate } = database()
      const [a, b] = [uniqueName('room'), uniqueName('room')]
      const [inserted] = await db.insert(messages).values([{ roomId: a, text: 'one' }]).returning()
      expect(invalidate).toHaveBeenLastCalledWith([roomKey(a)])
      await db.update(messages).set({ roomId: b }).where(eq(messages.id, inserted!.id)).returning({ roomId: messages.roomId })
      expect(invalidate).toHaveBeenLastCalledWith([roomKey(b)])
      await db.delete(messages).where(eq(messages.roomId, b)).returning()
      expect(invalidate).toHaveBeenLastCalledWith([roomKey(b)])
      invalidate.mockClear()
      await db.insert(log).values({ line: 'unmapped' })
      await db.update(log).set({ line: 'still unmapped' })
      await db.delete(log)
      expect(invalidate).not.toHaveBeenCalled()
    })

    it('refuses an update or delete of a row-mapped table without .returning(), before running it', async () => {
      const { db, invalidate } = database()
      const room = uniqueName('room')
      await db.insert(messages).values({ roomId: room, text: 'keep' })
      invalidate.mockClear()
      await expect(db.update(messages).set({ text: 'changed' }).where(eq(messages.roomId, room))).rejects.toThrow(
        /db\.update\(.+\): Reality maps .+ rows to keys, so it needs the changed rows: add \.returning\(\).*Nothing was written\./,
      )
      await expect(db.delete(messages).where(eq(messages.roomId, room))).rejects.toThrow(/add \.returning\(\)/)
      expect(await rows(room)).toEqual(['keep'])
      expect(invalidate).not.toHaveBeenCalled()
    })

    it('invalidates table-wide keys on every write, rows or not', async () => {
      const invalidate = vi.fn(async (_keys: string[]) => {})
      const db = withInvalidation(drizzle(pools.open(1)), { invalidate, tables: { [logTable]: { keys: ['log:all'] } } })
      await db.insert(log).values({ line: 'x' })
      await db.update(log).set({ line: 'y' })
      await db.delete(log)
      expect(invalidate.mock.calls).toEqual([[['log:all']], [['log:all']], [['log:all']]])
    })

    for (const withVersions of [false, true]) {
      const how = withVersions ? 'bumped inside the transaction (versions: postgresVersions)' : 'invalidated after COMMIT'
      it(`in db.transaction(): nothing before COMMIT, then woken — ${how}`, async () => {
        const { db, invalidate } = database({ versions: withVersions })
        const room = uniqueName('room')
        const before = await version(room)
        const { answer } = await holdOn([room])
        await db.transaction(async (tx) => {
          await tx.insert(messages).values({ roomId: room, text: 'in a transaction' })
          await tx.insert(messages).values({ roomId: room, text: 'twice' })
          expect(invalidate).not.toHaveBeenCalled()
          expect(await version(room)).toBe(before)
          expect(instance.server.reality.stats().waiters).toBe(1)
        })
        expect(await answer).toEqual([roomKey(room)])
        expect(await rows(room)).toEqual(['in a transaction', 'twice'])
        expect(invalidate.mock.calls).toEqual(withVersions ? [] : [[[roomKey(room)]]])
      })

      it(`a rolled-back transaction wakes nobody and changes no version — ${how}`, async () => {
        const { db, invalidate } = database({ versions: withVersions })
        const [thrown, rolledBack, savepoint, control] = [uniqueName('room'), uniqueName('room'), uniqueName('room'), uniqueName('room')]
        const before = await instance.server.reality.getVersions([thrown, rolledBack, savepoint].map(roomKey))
        // Held on every rolled-back key and a control key: answers come in commit order,
        // so a wake-up from a rollback would arrive before the control key's.
        const { answer } = await holdOn([thrown, rolledBack, savepoint, control])
        await expect(
          db.transaction(async (tx) => {
            await tx.insert(messages).values({ roomId: thrown, text: 'never' })
            throw new Error('the app changed its mind')
          }),
        ).rejects.toThrow('the app changed its mind')
        await expect(
          db.transaction(async (tx) => {
            await tx.insert(messages).values({ roomId: rolledBack, text: 'never' })
            tx.rollback()
          }),
        ).rejects.toThrow()
        await db.transaction(async (tx) => {
          await tx
            .transaction(async (inner) => {
              await inner.insert(messages).values({ roomId: savepoint, text: 'never' })
              throw new Error('rolled back to the savepoint')
            })
            .catch(() => {})
          await tx.insert(messages).values({ roomId: control, text: 'committed' })
        })
        expect(await answer).toEqual([roomKey(control)])
        expect(await instance.server.reality.getVersions([thrown, rolledBack, savepoint].map(roomKey))).toEqual(before)
        for (const room of [thrown, rolledBack, savepoint]) expect(await rows(room)).toEqual([])
        expect(invalidate.mock.calls).toEqual(withVersions ? [] : [[[roomKey(control)]]])
      })
    }

    it('leaves reads, raw SQL and the builder API as they are', async () => {
      const { db } = database()
      const room = uniqueName('room')
      const prepared = db.insert(messages).values({ roomId: sql.placeholder('room'), text: 'prepared' }).returning().prepare(uniqueName('insert'))
      await prepared.execute({ room })
      expect(await db.select({ text: messages.text }).from(messages).where(eq(messages.roomId, room))).toEqual([{ text: 'prepared' }])
      expect(await version(room)).toBeGreaterThan(0)
      expect(db.insert(messages).values({ roomId: room, text: 'x' }).toSQL().sql).toMatch(/^insert into/)
    })
  })
}
