/**
 * postgresVersions under faults, against the real PostgreSQL: backends
 * terminated under load (ARCHITECTURE.md S1: no instance dies), a pool too
 * small to give a LISTEN connection in time (no client leaks), and clients
 * that leave while LISTEN is being opened (released at once).
 */
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { createRealityServer } from '../create-server.js'
import { postgresVersions } from './postgres.js'
import { POSTGRES_URL, serviceMissing, syncRequest, until } from './test-services.js'

const missing = await serviceMissing('PostgreSQL')
const run = `${process.pid}_${Date.now() % 1e6}`
const table = `reality_faults_${run}`
/** Every connection these tests open carries this name: only those are ever terminated. */
const applicationName = `reality_faults_${run}`
const pools = new Set<pg.Pool>()

function pool(max: number, name = applicationName): pg.Pool {
  const created = new pg.Pool({ connectionString: POSTGRES_URL, max, application_name: name })
  created.on('error', () => {}) // what the README tells users to do: idle clients die with their backend
  pools.add(created)
  return created
}

const admin = () => pool(2, `${applicationName}_admin`)

async function terminateOurBackends(by: pg.Pool): Promise<number> {
  const { rows } = await by.query('SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName])
  return rows[0].n
}

const inUse = (p: pg.Pool) => p.totalCount - p.idleCount

if (missing) {
  describe.skip(`postgresVersions under faults (skipped: ${missing})`, () => {
    it('needs PostgreSQL', () => {})
  })
} else {
  afterAll(async () => {
    const cleanup = admin()
    await cleanup.query(`DROP TABLE IF EXISTS ${table}`)
    await cleanup.query(`DROP SEQUENCE IF EXISTS ${table}_seq`)
    await Promise.all([...pools].map((p) => p.end().catch(() => {})))
  })

  describe('postgresVersions under faults', () => {
    it('survives a storm of terminated backends while holding, reading, writing and migrating', async () => {
      const uncaught: unknown[] = []
      const onUncaught = (error: unknown) => uncaught.push(error)
      process.on('uncaughtException', onUncaught)
      const shared = pool(6)
      const killer = admin()
      const errors: unknown[] = []
      const servers = Array.from({ length: 4 }, () => {
        const versions = postgresVersions({ pool: shared, table })
        return { versions, server: createRealityServer({ versions, onError: (error) => errors.push(error) }) }
      })
      let stop = false
      // Short holds open and close LISTEN connections over and over; writes
      // and fresh stores (migrations) run beside them.
      const traffic = servers.map(async ({ server }, index) => {
        while (!stop) {
          const key = `storm:${index}`
          const held = server.handler(syncRequest({ [key]: 1 }, 150)).then((response) => response.text())
          await Promise.all([held, server.invalidate([key]).catch(() => {})])
          await postgresVersions({ pool: shared, table }).read([key]).catch(() => {})
        }
      })
      let terminated = 0
      for (let round = 0; round < 25; round++) {
        terminated += await terminateOurBackends(killer)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      stop = true
      await Promise.all(traffic)
      process.off('uncaughtException', onUncaught)
      expect(terminated).toBeGreaterThan(0)
      expect(uncaught).toEqual([])
      // Still serving, and nothing left checked out or held.
      const key = `after:${run}`
      const written = await servers[0]!.server.invalidate([key])
      expect((await servers[1]!.server.getVersions([key]))[key]).toBe(written[key])
      for (const { server } of servers) {
        await until(() => server.stats().held === 0 && server.stats().subscriptions === 0)
        await server.close()
      }
      await until(() => inUse(shared) === 0)
    }, 60_000)

    it('releases a LISTEN connection that arrives after its timeout, so a small pool keeps working', async () => {
      const small = pool(2)
      const versions = postgresVersions({ pool: small, table, connectTimeout: 300 })
      await versions.read(['warm']) // migrated: the next connects are LISTEN connects
      const server = createRealityServer({ versions, onError: () => {} })
      // The app holds both connections: LISTEN cannot get one in time, twice.
      const busy = await Promise.all([small.connect(), small.connect()])
      for (let attempt = 0; attempt < 2; attempt++) {
        const response = await server.handler(syncRequest({ k: 1 }, 5_000))
        expect(response.status).toBe(503)
      }
      for (const client of busy) client.release()
      // The late connections went back to the pool instead of leaking.
      await until(() => inUse(small) === 0 && small.waitingCount === 0)
      expect((await versions.read(['k'])).get('k')).toEqual({ version: 0 })
      const app = await small.query('SELECT 1 AS one')
      expect(app.rows[0].one).toBe(1)
      await server.close()
    }, 30_000)

    it('releases held requests at once when their clients leave while LISTEN is being opened', async () => {
      const small = pool(1)
      const versions = postgresVersions({ pool: small, table, connectTimeout: 20_000 })
      await versions.read(['warm'])
      const server = createRealityServer({ versions, onError: () => {} })
      const busy = await small.connect() // LISTEN waits for this connection
      const controllers = Array.from({ length: 5 }, () => new AbortController())
      const answers = controllers.map((controller) => server.handler(syncRequest({ k: 0 }, 20_000, controller.signal)).catch((error: unknown) => error))
      await until(() => server.stats().held === 5)
      for (const controller of controllers) controller.abort()
      await until(() => server.stats().held === 0, 3_000)
      expect(server.stats()).toMatchObject({ held: 0, timers: 0, abortListeners: 0, waiters: 0 })
      await Promise.all(answers)
      busy.release()
      await until(() => server.stats().subscriptions === 0 && inUse(small) === 0)
      await server.close()
    }, 30_000)
  })
}
