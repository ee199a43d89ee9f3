/**
 * idempotentWrites over the shared stores, against real Redis and
 * PostgreSQL: two `idempotentWrites` with their own clients stand for two
 * server instances sharing one backend.
 */
import { Redis } from 'ioredis'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { ProtocolError } from '../protocol/error.js'
import { idempotentWrites, type IdempotencyClaim, type IdempotencyStore, type IdempotentWritesOptions } from './idempotency.js'
import { postgresIdempotency } from './idempotency-postgres.js'
import { redisIdempotency } from './idempotency-redis.js'
import { POSTGRES_URL, REDIS_URL, serviceMissing, until } from './versions/test-services.js'

const run = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`
let keys = 0
/** A key no other test (or run) uses. */
const freshKey = () => `key-${run}-${++keys}`

/** A promise with its resolve, for writes that wait until the test lets them go. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { open, opened }
}

/** The tests every shared store passes; `instance()` makes one "server" (its own client). */
function describeSharedStore(name: string, instance: () => IdempotencyStore) {
  const server = (options: Omit<IdempotentWritesOptions, 'store'> = {}) => idempotentWrites({ ...options, store: instance() })
  /** A server whose store's answers to its claims are recorded (to know it asked). */
  const watchedServer = () => {
    const answers: IdempotencyClaim['state'][] = []
    const store = instance()
    const watched: IdempotencyStore = {
      ...store,
      async claim(key, lease) {
        const claim = await store.claim(key, lease)
        answers.push(claim.state)
        return claim
      },
    }
    return { writes: idempotentWrites({ store: watched }), answers }
  }

  describe(`idempotentWrites with ${name}`, () => {
    it('applies a key once across two instances; the replay on the other gets the first result as JSON', async () => {
      const [a, b] = [server(), server()]
      const key = freshKey()
      let applied = 0
      const write = async () => ({ id: ++applied, at: new Date(0), none: undefined })
      const first = await a.run(key, write)
      expect(first).toEqual({ id: 1, at: new Date(0), none: undefined })
      expect(await b.run(key, write)).toEqual({ id: 1, at: '1970-01-01T00:00:00.000Z' }) // parsed JSON
      expect(await a.run(key, write)).toEqual({ id: 1, at: '1970-01-01T00:00:00.000Z' })
      expect(await b.run(freshKey(), write)).toMatchObject({ id: 2 })
      expect(applied).toBe(2)
    })

    it('makes concurrent duplicates on both instances wait for the first and return its result', async () => {
      const [a, { writes: b, answers }] = [server(), watchedServer()]
      const key = freshKey()
      const release = gate()
      const started = gate()
      let applied = 0
      const write = async () => {
        applied++
        started.open()
        await release.opened
        return { id: applied }
      }
      const firstCall = a.run(key, write)
      await started.opened // a holds the key now
      const duplicates = [a.run(key, write), b.run(key, write), b.run(key, write)]
      await until(() => answers.includes('running')) // b asked and was told to wait
      expect(b.size()).toBe(1) // b's two calls share one poll
      release.open()
      expect(await Promise.all([firstCall, ...duplicates])).toEqual([{ id: 1 }, { id: 1 }, { id: 1 }, { id: 1 }])
      expect(applied).toBe(1)
    })

    it('releases the key of a failed write: a replay on the other instance, waiting or later, runs it', async () => {
      const [a, { writes: b, answers }] = [server(), watchedServer()]
      const key = freshKey()
      const fail = gate()
      const started = gate()
      const failing = a.run(key, async () => {
        started.open()
        await fail.opened
        throw new Error('db down')
      })
      await started.opened
      const waiting = b.run(key, () => 'applied by b')
      await until(() => answers.includes('running')) // b waits for a
      fail.open()
      await expect(failing).rejects.toThrow('db down')
      expect(await waiting).toBe('applied by b')
      expect(await a.run(key, () => 'again')).toBe('applied by b')

      const later = freshKey()
      await expect(a.run(later, () => Promise.reject(new Error('no')))).rejects.toThrow('no')
      expect(await b.run(later, () => 'retried')).toBe('retried')
    })

    it('forgets a result after the ttl', async () => {
      const [a, b] = [server({ ttl: 1 }), server({ ttl: 1 })]
      const key = freshKey()
      await a.run(key, () => 'first')
      let again: unknown
      await until(async () => (again = await b.run(key, () => 'after the ttl')) === 'after the ttl')
      expect(again).toBe('after the ttl')
    })

    it('lets a replay take over a key whose instance died while writing, once the lease is over', async () => {
      const key = freshKey()
      const crashed = instance()
      expect((await crashed.claim(key, 50)).state).toBe('claimed') // and never finishes
      expect(await server({ lease: 50 }).run(key, () => 'taken over')).toBe('taken over')
    })

    it('a late release by an instance whose lease ended does not free the key another instance took over', async () => {
      const key = freshKey()
      const crashed = instance()
      const stale = await crashed.claim(key, 50)
      if (stale.state !== 'claimed') throw new Error(`expected a claim, got ${stale.state}`)
      const release = gate()
      const started = gate()
      let applied = 0
      const taking = server().run(key, async () => {
        applied++
        started.open()
        await release.opened
        return 'applied by b'
      })
      await started.opened // b took the key over once the stale lease ended
      await crashed.release(key, stale.owner) // the stale instance comes back and gives up its key: not b's
      const c = watchedServer()
      const duplicate = c.writes.run(key, async () => {
        applied++
        return 'applied by c'
      })
      await until(() => c.answers.length > 0) // c asked while b still runs
      release.open()
      expect(await Promise.all([taking, duplicate])).toEqual(['applied by b', 'applied by b'])
      expect(applied).toBe(1)
    })

    it('refuses a malformed key with a ProtocolError 400 and touches nothing', async () => {
      const writes = server()
      let ran = 0
      for (const key of ['', 'a b', 'x'.repeat(201), 'é']) {
        const error = await writes.run(key, () => ran++).catch((caught: unknown) => caught)
        expect(error).toBeInstanceOf(ProtocolError)
        expect(error).toMatchObject({ status: 400, code: 'invalid_request' })
      }
      expect(ran).toBe(0)
    })

    it('fails a result JSON cannot encode with a TypeError; the applied write keeps its key until the lease ends', async () => {
      const [a, b] = [server({ lease: 50 }), server({ lease: 50 })]
      const key = freshKey()
      await expect(a.run(key, () => ({ big: 1n }))).rejects.toThrow(TypeError)
      expect(await b.run(key, () => 'after the lease')).toBe('after the lease')
    })
  })
}

const redisMissing = await serviceMissing('Redis')
const postgresMissing = await serviceMissing('PostgreSQL')

if (redisMissing) {
  describe.skip(`redisIdempotency (skipped: ${redisMissing})`, () => {
    it('needs Redis', () => {})
  })
} else {
  const prefix = `{reality-idempotency-test-${run}}`
  const clients = new Set<Redis>()
  const client = () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 })
    clients.add(redis)
    return redis
  }
  afterAll(async () => {
    const admin = client()
    const stored = await admin.keys(`${prefix}*`)
    if (stored.length) await admin.del(...stored)
    await Promise.all([...clients].map((redis) => redis.quit()))
  })

  describeSharedStore('redisIdempotency (real Redis)', () => redisIdempotency({ redis: client(), prefix }))

  it('redisIdempotency refuses something that is not an ioredis client', () => {
    expect(() => redisIdempotency({ redis: {} as Redis })).toThrow(/new Redis\(url\)/)
  })
}

if (postgresMissing) {
  describe.skip(`postgresIdempotency (skipped: ${postgresMissing})`, () => {
    it('needs PostgreSQL', () => {})
  })
} else {
  const table = `reality_idempotency_test_${run}`
  const pools = new Set<pg.Pool>()
  const pool = () => {
    const opened = new pg.Pool({ connectionString: POSTGRES_URL, max: 4 })
    pools.add(opened)
    return opened
  }
  afterAll(async () => {
    await [...pools][0]?.query(`DROP TABLE IF EXISTS ${table}`)
    await Promise.all([...pools].map((opened) => opened.end()))
  })

  describeSharedStore('postgresIdempotency (real PostgreSQL)', () => postgresIdempotency({ pool: pool(), table }))

  it('postgresIdempotency refuses a missing pool and a table name it cannot splice into SQL', () => {
    expect(() => postgresIdempotency({ pool: {} as pg.Pool })).toThrow(/pg Pool/)
    expect(() => postgresIdempotency({ pool: pool(), table: 'x; DROP TABLE y' })).toThrow(/identifier/)
  })
}
