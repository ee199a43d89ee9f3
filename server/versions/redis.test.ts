import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { createRealityServer } from '../create-server.js'
import { describeVersionStore } from './contract.js'
import { redisVersions } from './redis.js'
import { closingWith, countReads, REDIS_URL, serviceMissing, syncRequest, until } from './test-services.js'

const missing = await serviceMissing('Redis')
const prefix = `{reality-test-${process.pid}-${Date.now()}}`
const clients = new Set<Redis>()

function client(): Redis {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 })
  clients.add(redis)
  return redis
}

/** A store whose close() also quits the client it was given (the store leaves your client open). */
function store() {
  const redis = client()
  return closingWith(redisVersions({ redis, prefix }), () => (clients.delete(redis), redis.quit()))
}

if (missing) {
  describe.skip(`redisVersions (skipped: ${missing})`, () => {
    it('needs Redis', () => {})
  })
} else {
  afterAll(async () => {
    const admin = client()
    const keys = await admin.keys(`${prefix}*`)
    if (keys.length) await admin.del(...keys)
    await Promise.all([...clients].map((redis) => redis.quit().catch(() => redis.disconnect())))
  })

  describeVersionStore('redisVersions (real Redis)', store)

  describe('redisVersions', () => {
    it('refuses something that is not an ioredis client, saying what to pass', () => {
      expect(() => redisVersions({ redis: {} as Redis })).toThrow(/new Redis\(url\)/)
    })

    it('keeps 16-digit versions exact and payloads intact through Lua', async () => {
      const versions = store()
      const bumped = await versions.bump(['exact'], { hash: 'h"1', payload: { text: 'é "quoted"', n: 1.5 } })
      const version = bumped.get('exact')!.version
      expect(String(version)).toHaveLength(16)
      expect((await versions.read(['exact'])).get('exact')).toEqual({ version, hash: 'h"1', payload: { text: 'é "quoted"', n: 1.5 } })
      await versions.close()
    })

    it('after Redis loses its data, reads every key above all versions issued before (no lost update)', async () => {
      const own = `{reality-loss-${process.pid}-${Date.now()}}`
      const versions = redisVersions({ redis: client(), prefix: own })
      const floor = (await versions.read(['never'])).get('never')!.version
      const written = (await versions.bump(['written'])).get('written')!.version
      expect(written).toBeGreaterThan(floor)
      // Redis restarts without persistence: every key of the store is gone.
      const admin = client()
      await admin.del(...(await admin.keys(`${own}*`)))
      const after = await versions.read(['never', 'written'])
      expect(after.get('never')!.version).toBeGreaterThan(written)
      expect(after.get('written')!.version).toBe(after.get('never')!.version)
      expect((await versions.bump(['written'])).get('written')!.version).toBeGreaterThan(after.get('written')!.version)
      await admin.del(...(await admin.keys(`${own}*`)))
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
      expect(a.subscriberCount()).toBe(0)
      await Promise.all([serverA.close(), serverB.close(), a.close(), b.close()])
    })

    it('re-reads held requests after the pub/sub connection drops (no lost wake-up)', async () => {
      const versions = store()
      const server = createRealityServer({ versions })
      const key = `gap:${Date.now()}`
      const first = await server.invalidate([key])
      const reads = countReads(versions)
      const held = server.handler(syncRequest({ [key]: first[key]! }, 20_000))
      await until(() => server.stats().waiters === 1 && reads() === 1)
      // A write whose announcement this instance never hears: its pub/sub
      // connection is killed, and the entry is written behind its back.
      const admin = client()
      await admin.hset(`${prefix}:versions`, key, JSON.stringify({ version: first[key]! + 1 }))
      await admin.client('KILL', 'TYPE', 'pubsub')
      const body = await (await held).json()
      expect(body.changed[key].version).toBe(first[key]! + 1)
      await server.close()
      await versions.close()
    })

    it('holds no pub/sub connection while nobody listens', async () => {
      const versions = store()
      const admin = client()
      const pubsubClients = async () => ((await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string).split('\n').filter(Boolean).length
      const before = await pubsubClients()
      const unsubscribe = await versions.subscribe(() => {})
      expect(await pubsubClients()).toBe(before + 1)
      unsubscribe()
      await until(async () => (await pubsubClients()) === before)
      await versions.close()
    })
  })
}
