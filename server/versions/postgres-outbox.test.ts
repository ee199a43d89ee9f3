import Redis from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startLoopbackServer, type LoopbackServer } from '../../test/loopback.js'
import { postgresOutbox, type PostgresOutbox } from './postgres-outbox.js'
import { createPools, startScript, uniqueName, watchKey } from './postgres-test-kit.js'
import { redisVersions } from './redis.js'
import { REDIS_URL, serviceMissing, until } from './test-services.js'

const missing = (await serviceMissing('PostgreSQL')) ?? (await serviceMissing('Redis'))
const dataTable = uniqueName('reality_outbox_messages')
const outboxTable = uniqueName('reality_outbox')
const pools = createPools(uniqueName('reality_outbox'))

describe('postgresOutbox: bad options', () => {
  it('refuses a missing pool or invalidate, unsafe table names and bad numbers, saying what to pass', () => {
    const pool = { query() {}, connect() {} } as never
    expect(() => postgresOutbox({ pool: {} as never, invalidate: async () => {} })).toThrow(/needs a pg Pool/)
    expect(() => postgresOutbox({ pool, invalidate: undefined as never })).toThrow(/reality\.invalidate\(keys, options\)/)
    expect(() => postgresOutbox({ pool, invalidate: async () => {}, table: 'x; DROP' })).toThrow(/postgresOutbox: "x; DROP" is not a plain lower-case SQL identifier/)
    expect(() => postgresOutbox({ pool, invalidate: async () => {}, batchSize: 0 })).toThrow(/batchSize must be a positive integer/)
  })
})

if (missing) {
  describe.skip(`postgresOutbox with redisVersions (skipped: ${missing})`, () => {
    it('needs PostgreSQL and Redis', () => {})
  })
} else {
  const admin = pools.open()
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 })
  const versions = redisVersions({ redis, prefix: `${uniqueName('reality_outbox')}:` })
  let server: LoopbackServer
  let drainer: PostgresOutbox
  const rows = async (room: string) => (await admin.query(`SELECT text FROM ${dataTable} WHERE room = $1 ORDER BY id`, [room])).rows.map((row) => row.text as string)
  const pending = async () => (await admin.query(`SELECT count(*)::int AS n FROM ${outboxTable}`)).rows[0].n as number

  beforeAll(async () => {
    await admin.query(`CREATE TABLE ${dataTable} (id serial PRIMARY KEY, room text NOT NULL, text text NOT NULL)`)
    server = await startLoopbackServer({ versions })
    drainer = postgresOutbox({ pool: pools.open(), table: outboxTable, invalidate: (keys, options) => server.reality.invalidate(keys, options) })
  })
  afterAll(async () => {
    await drainer?.stop()
    await server?.close()
    await versions.close?.()
    await redis.quit()
    await admin.query(`DROP TABLE IF EXISTS ${dataTable}; DROP TABLE IF EXISTS ${outboxTable}`)
    await pools.endAll()
  })

  describe('postgresOutbox with redisVersions (real PostgreSQL and Redis)', { timeout: 60_000 }, () => {
    it('a writer SIGKILLed between COMMIT and invalidate still gets its key invalidated by a drainer on another instance', async () => {
      const room = uniqueName('room')
      const watcher = watchKey(server.endpoint, room, () => rows(room))
      await drainer.start()
      try {
        await watcher.until((list) => list.length === 0)
        await watcher.held(server)
        const child = startScript('server/versions/test-outbox-writer.ts', { DATA_TABLE: dataTable, OUTBOX_TABLE: outboxTable, KEY: room, APPLICATION_NAME: pools.applicationName })
        try {
          await child.line('committed')
        } finally {
          await child.kill()
        }
        await watcher.until((list) => list.includes('from the killed writer'))
        await until(async () => (await pending()) === 0)
      } finally {
        watcher.close()
        await drainer.stop()
      }
    })

    it('entries committed while no drainer runs are delivered by the next drain(); a rollback leaves nothing', async () => {
      const [committed, rolledBack] = [uniqueName('room'), uniqueName('room')]
      const before = await server.reality.getVersions([committed, rolledBack])
      const writer = postgresOutbox({ pool: pools.open(2), table: outboxTable, invalidate: async () => {} })
      for (const [room, finish] of [[committed, 'COMMIT'], [rolledBack, 'ROLLBACK']] as const) {
        const client = await pools.open(1).connect()
        await client.query('BEGIN')
        await writer.add(client, [room], { hash: `h-${room}` })
        await client.query(finish)
        client.release()
      }
      expect(await pending()).toBe(1)
      expect(await drainer.drain()).toBe(1)
      const after = await server.reality.getVersions([committed, rolledBack])
      expect(after[committed]).toBeGreaterThan(before[committed]!)
      expect(after[rolledBack]).toBe(before[rolledBack])
      expect((await versions.read([committed])).get(committed)!.hash).toBe(`h-${committed}`)
      expect(await pending()).toBe(0)
    })

    it('keeps entries when invalidate fails, reports the failure, and delivers them on a later drain', async () => {
      const room = uniqueName('room')
      const onError = vi.fn()
      let failing = true
      const flaky = postgresOutbox({
        pool: pools.open(),
        table: outboxTable,
        pollInterval: 50,
        onError,
        invalidate: async (keys) => {
          if (failing) throw new Error('Redis is down')
          return server.reality.invalidate(keys)
        },
      })
      const client = await pools.open(1).connect()
      await client.query('BEGIN')
      await flaky.add(client, room)
      await client.query('COMMIT')
      client.release()
      await expect(flaky.drain()).rejects.toThrow('Redis is down')
      expect(await pending()).toBe(1)
      const before = await server.reality.getVersions([room])
      await flaky.start()
      await until(() => onError.mock.calls.length > 0) // the background drain failed and said so
      failing = false
      await until(async () => (await pending()) === 0) // the poll retried it
      await flaky.stop()
      expect((await server.reality.getVersions([room]))[room]).toBeGreaterThan(before[room]!)
    })

    it('refuses bad keys before touching the transaction', async () => {
      const client = { query: vi.fn() }
      await expect(drainer.add(client, ['ok', ''])).rejects.toThrow(/outbox\.add: "" is not a valid key/)
      await expect(drainer.add(undefined as never, ['ok'])).rejects.toThrow(/needs your pg client/)
      expect(client.query).not.toHaveBeenCalled()
    })
  })
}
