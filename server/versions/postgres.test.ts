import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { createRealityServer } from '../create-server.js'
import { describeVersionStore } from './contract.js'
import { postgresVersions } from './postgres.js'
import { closingWith, countReads, POSTGRES_URL, serviceMissing, syncRequest, until } from './test-services.js'

const missing = await serviceMissing('PostgreSQL')
const table = `reality_test_${process.pid}_${Date.now() % 1e6}`
const pools = new Set<pg.Pool>()

function pool(): pg.Pool {
  const created = new pg.Pool({ connectionString: POSTGRES_URL, max: 20 })
  created.on('error', () => {}) // idle clients killed by the gap test
  pools.add(created)
  return created
}

/** A store whose close() also ends the pool it was given (the store leaves your pool open). */
function store() {
  const own = pool()
  return closingWith(postgresVersions({ pool: own, table }), () => (pools.delete(own), own.end()))
}

if (missing) {
  describe.skip(`postgresVersions (skipped: ${missing})`, () => {
    it('needs PostgreSQL', () => {})
  })
} else {
  afterAll(async () => {
    const admin = pool()
    await admin.query(`DROP TABLE IF EXISTS ${table}`)
    await admin.query(`DROP SEQUENCE IF EXISTS ${table}_seq`)
    await Promise.all([...pools].map((p) => p.end().catch(() => {})))
  })

  describeVersionStore('postgresVersions (real PostgreSQL)', store)

  describe('postgresVersions', () => {
    it('refuses a missing pool and unsafe identifiers, saying what to pass', () => {
      expect(() => postgresVersions({ pool: {} as pg.Pool })).toThrow(/pg.Pool/)
      expect(() => postgresVersions({ pool: pool(), table: 'x; DROP TABLE users' })).toThrow(/identifier/)
    })

    it('creates its table once even when many instances start at the same time', async () => {
      const fresh = `${table}_race`
      const stores = Array.from({ length: 5 }, () => postgresVersions({ pool: pool(), table: fresh }))
      const results = await Promise.all(stores.map((s) => s.bump(['k'])))
      expect(new Set(results.map((r) => r.get('k')!.version)).size).toBe(5)
      const admin = pool()
      await admin.query(`DROP TABLE ${fresh}; DROP SEQUENCE ${fresh}_seq`)
    })

    it('keeps payloads in the table and hashes in notifications', async () => {
      const versions = store()
      const heard: unknown[] = []
      const unsubscribe = await versions.subscribe((changes) => heard.push(...changes))
      const bumped = await versions.bump(['p'], { hash: 'h1', payload: { text: 'é "q"', list: [1, 2] } })
      const version = bumped.get('p')!.version
      expect((await versions.read(['p'])).get('p')).toEqual({ version, hash: 'h1', payload: { text: 'é "q"', list: [1, 2] } })
      await until(() => heard.length === 1)
      expect(heard[0]).toEqual({ key: 'p', version, hash: 'h1' })
      unsubscribe()
      await versions.close()
    })

    it('wakes a request held on one instance when another instance writes (stateless servers)', async () => {
      const a = store()
      const b = store()
      const serverA = createRealityServer({ versions: a })
      const serverB = createRealityServer({ versions: b })
      const key = `room:${Date.now()}`
      const first = await serverB.invalidate([key])
      const reads = countReads(a)
      const held = serverA.handler(syncRequest({ [key]: first[key]! }, 20_000))
      await until(() => serverA.stats().waiters === 1 && reads() === 1)
      const second = await serverB.invalidate([key])
      const body = await (await held).json()
      expect(body.changed[key].version).toBe(second[key])
      expect(serverA.stats()).toMatchObject({ waiters: 0, held: 0, subscriptions: 0 })
      await Promise.all([serverA.close(), serverB.close(), a.close(), b.close()])
    })

    it('re-reads held requests and listens again after the LISTEN connection dies', async () => {
      const versions = store()
      const server = createRealityServer({ versions })
      const key = `gap:${Date.now()}`
      const first = await server.invalidate([key])
      const reads = countReads(versions)
      const held = server.handler(syncRequest({ [key]: first[key]! }, 20_000))
      await until(() => server.stats().waiters === 1 && reads() === 1)
      // A write this instance never hears about, then its LISTEN backend dies.
      const admin = pool()
      await admin.query(`UPDATE ${table} SET version = version + 1 WHERE key = $1`, [key])
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`)
      const body = await (await held).json()
      expect(body.changed[key].version).toBe(first[key]! + 1)
      // Listening again: a later write reaches a new held request.
      const again = server.handler(syncRequest({ [key]: first[key]! + 1 }, 20_000))
      await until(() => server.stats().waiters === 1 && reads() === 3)
      await until(async () => (await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN %'`)).rows[0].n > 0)
      const third = await server.invalidate([key])
      expect((await (await again).json()).changed[key].version).toBe(third[key])
      await server.close()
      await versions.close()
    })
  })
}
