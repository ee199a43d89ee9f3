/**
 * redisVersions when Redis loses data: the versions hash evicted (a Redis
 * with an eviction policy under memory pressure) must never make a write
 * look like "unchanged" to a client holding the never-written floor
 * (ARCHITECTURE.md S2: no ABA). First against the shared Redis by deleting
 * only this run's hash, then against a private redis-server that really
 * evicts.
 */
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { redisServerMissing, startRedisProcess } from '../../test/redis-process.js'
import { redisVersions } from './redis.js'
import { REDIS_URL, serviceMissing } from './test-services.js'

const missing = await serviceMissing('Redis')
const prefix = `{reality-evict-${process.pid}-${Date.now()}}`
const clients = new Set<Redis>()

function client(url = REDIS_URL): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 })
  clients.add(redis)
  return redis
}

afterAll(async () => {
  if (missing) return
  const admin = client()
  const keys = await admin.keys(`${prefix}*`)
  if (keys.length) await admin.del(...keys)
  await Promise.all([...clients].map((redis) => redis.quit().catch(() => redis.disconnect())))
})

describe.skipIf(missing)(`redisVersions when its hash is evicted${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('reads a key written before the versions hash was lost above the floor a client may hold', async () => {
    const redis = client()
    const versions = redisVersions({ redis, prefix })
    const floor = (await versions.read(['k'])).get('k')!.version // a client holds "never written"
    const written = (await versions.bump(['k'])).get('k')!.version
    expect(written).toBeGreaterThan(floor)
    await redis.del(`${prefix}:versions`) // evicted: only this key goes
    const after = (await versions.read(['k'])).get('k')!.version
    expect(after).not.toBe(floor)
    expect(after).toBeGreaterThan(written)
    // And a later write still lands above what was read.
    expect((await versions.bump(['k'])).get('k')!.version).toBeGreaterThan(after)
  })
})

const noBinary = redisServerMissing()
describe.skipIf(noBinary)(`redisVersions on a Redis that evicts${noBinary ? ` (skipped: ${noBinary})` : ''}`, () => {
  it('never answers a written key with the floor a client held, whatever Redis evicts', async () => {
    const server = await startRedisProcess(['--maxmemory', '2mb', '--maxmemory-policy', 'allkeys-random'])
    const redis = new Redis(server.url, { maxRetriesPerRequest: 2 })
    redis.on('error', () => {})
    try {
      const versions = redisVersions({ redis, prefix: '{evict}' })
      const floor = (await versions.read(['watched'])).get('watched')!.version
      const written = (await versions.bump(['watched'])).get('watched')!.version
      // Memory pressure from other data until the versions hash is gone.
      const filler = 'x'.repeat(10_000)
      for (let round = 0; round < 2000 && (await redis.exists('{evict}:versions')); round++) {
        await redis.set(`filler:${round}`, filler).catch(() => {})
      }
      expect(await redis.exists('{evict}:versions')).toBe(0)
      const after = (await versions.read(['watched'])).get('watched')!.version
      expect(after).not.toBe(floor)
      expect(after).toBeGreaterThan(written)
    } finally {
      redis.disconnect()
      await server.stop()
    }
  })
})
