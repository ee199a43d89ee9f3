import type { Redis } from 'ioredis'
import type { BumpMeta, ChangeListener, SubscribeOptions, VersionChange, VersionEntry, VersionStore } from '../version-store.js'
import { createFanout, withTimeout } from './fanout.js'

// reality/server/redis also carries the idempotency keys' Redis store.
export { redisIdempotency, type RedisIdempotencyOptions } from '../idempotency-redis.js'

/** Options of {@link redisVersions}. */
export interface RedisVersionsOptions {
  /**
   * An ioredis client for commands. The store never closes it (it is yours);
   * it opens one extra connection (`redis.duplicate()`) for pub/sub while
   * someone listens, and closes that one itself.
   */
  redis: Redis
  /**
   * Prefix of the Redis keys and channel. The hash tag `{…}` keeps the
   * store's keys in one cluster slot. Default `'{reality}'`.
   */
  prefix?: string
}

// One atomic step per bump (Lua runs alone on the server): read the
// high-water mark, give every key max(last + 1, server time in µs-ish), store
// the entries and publish them. Versions come from the Redis clock, so a
// Redis that restarts without persistence still never reissues a version
// (same argument as server/versions/clock.ts). JSON is assembled by hand:
// cjson prints numbers with 14 significant digits, and versions have 16.
//
// The high-water mark (CLOCK) and the floor (FLOOR) are fields of the
// versions hash itself, not keys of their own: Redis evicts whole keys, so
// under memory pressure they can only go together with the versions. A
// floor that outlived its versions would make a key written before the
// eviction read as the floor again, and a client holding that floor would
// see "unchanged" (a lost update). Their names start with a control
// character, which keys may never contain (protocol/limits.ts).
const CONNECT_TIMEOUT_MS = 5000
const CLOCK_FIELD = '\u0000clock'
const FLOOR_FIELD = '\u0000floor'

const BUMP = `
local t = redis.call('TIME')
local floor = (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) * 1000
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[3]) or '0')
-- No high-water mark: the hash is new, or was lost with the versions issued
-- so far. Those of this very millisecond must stay below: start at the next.
if last == 0 then floor = floor + 1000 end
local meta = ARGV[2]
local out, notes = {}, {}
for i = 4, #ARGV do
  last = math.max(last + 1, floor)
  local v = string.format('%.0f', last)
  redis.call('HSET', KEYS[1], ARGV[i], '{"version":' .. v .. meta .. '}')
  out[#out + 1] = v
  notes[#notes + 1] = '{"key":' .. cjson.encode(ARGV[i]) .. ',"version":' .. v .. meta .. '}'
end
redis.call('HSET', KEYS[1], ARGV[3], string.format('%.0f', last))
redis.call('PUBLISH', ARGV[1], '[' .. table.concat(notes, ',') .. ']')
return out
`

// Reads entries plus the floor that never-written keys read as. The floor is
// created on first use from the Redis clock and raises the high-water mark,
// so every later bump lands above it. When Redis loses the hash (a restart
// without persistence, an eviction) the floor goes with it, and the new one
// is above every version issued before: a client holding "never written"
// from before the loss sees a difference and refetches (a fixed 0 would
// hide writes made just before).
const READ = `
local floor = redis.call('HGET', KEYS[1], ARGV[2])
if not floor then
  local t = redis.call('TIME')
  -- The next millisecond: a version issued in this one before the hash was lost stays below.
  local now = (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + 1) * 1000
  floor = string.format('%.0f', math.max(tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') + 1, now))
  redis.call('HSET', KEYS[1], ARGV[2], floor, ARGV[1], floor)
end
local entries = redis.call('HMGET', KEYS[1], unpack(ARGV, 3))
table.insert(entries, 1, floor)
return entries
`

/** `,"hash":…,"payload":…` — the JSON members every entry of one bump shares. */
function metaMembers(meta: BumpMeta | undefined): string {
  let members = ''
  if (meta?.hash !== undefined) members += `,"hash":${JSON.stringify(meta.hash)}`
  if (meta?.payload !== undefined) members += `,"payload":${JSON.stringify(meta.payload)}`
  return members
}

/**
 * A {@link VersionStore} in Redis, for several server instances (or
 * serverless functions) behind one load balancer: versions in one hash,
 * bumps in one Lua script (atomic, unique, clock based), changes announced
 * over pub/sub to every instance.
 *
 * @example
 * import Redis from 'ioredis'
 * import { createRealityServer } from 'reality/server'
 * import { redisVersions } from 'reality/server/redis'
 *
 * const versions = redisVersions({ redis: new Redis('redis://127.0.0.1:6379') })
 * const server = createRealityServer({ versions })
 */
export function redisVersions(options: RedisVersionsOptions): VersionStore & { subscriberCount(): number } {
  const { redis } = options
  if (!redis || typeof redis.duplicate !== 'function' || typeof redis.eval !== 'function') {
    throw new TypeError('redisVersions({ redis }) needs an ioredis client: redisVersions({ redis: new Redis(url) }).')
  }
  const prefix = options.prefix ?? '{reality}'
  const entriesKey = `${prefix}:versions`
  const channel = `${prefix}:changes`
  let closed = false

  const fanout = createFanout({
    async open(deliver, gap) {
      // Connect first, with a deadline: a held request must fail fast (503)
      // when Redis is down, not wait in ioredis' offline queue forever.
      const connection = redis.duplicate({ lazyConnect: true })
      connection.on('error', () => {}) // it reconnects on its own; commands report errors
      try {
        await withTimeout(connection.connect(), CONNECT_TIMEOUT_MS, 'Redis did not accept a pub/sub connection in time.')
      } catch (error) {
        connection.disconnect()
        throw error
      }
      connection.on('message', (from: string, message: string) => {
        if (from !== channel) return
        try {
          deliver(JSON.parse(message) as VersionChange[])
        } catch {
          gap()
        }
      })
      // ioredis resubscribes after a reconnect, but whatever was published
      // while the connection was down is gone: tell listeners to re-read.
      connection.on('ready', () => {
        connection.subscribe(channel).then(gap, gap)
      })
      await connection.subscribe(channel)
      return async () => {
        connection.disconnect()
      }
    },
  })

  function assertOpen() {
    if (closed) throw new Error('This redisVersions() store is closed.')
  }

  return {
    async read(keys) {
      assertOpen()
      const result = new Map<string, VersionEntry>()
      if (!keys.length) return result
      const [floor, ...raw] = (await redis.eval(READ, 1, entriesKey, CLOCK_FIELD, FLOOR_FIELD, ...keys)) as (string | null)[]
      const never: VersionEntry = Object.freeze({ version: Number(floor) })
      keys.forEach((key, i) => result.set(key, raw[i] ? (JSON.parse(raw[i]!) as VersionEntry) : never))
      return result
    },

    async bump(keys, meta) {
      assertOpen()
      const unique = [...new Set(keys)]
      const result = new Map<string, VersionEntry>()
      if (!unique.length) return result
      const members = metaMembers(meta)
      const versions = (await redis.eval(BUMP, 1, entriesKey, channel, members, CLOCK_FIELD, ...unique)) as string[]
      unique.forEach((key, i) => {
        const entry: VersionEntry = { version: Number(versions[i]) }
        if (meta?.hash !== undefined) entry.hash = meta.hash
        if (meta?.payload !== undefined) entry.payload = meta.payload
        result.set(key, entry)
      })
      return result
    },

    subscribe(listener: ChangeListener, subscribeOptions?: SubscribeOptions) {
      assertOpen()
      return fanout.add(listener, subscribeOptions?.onGap)
    },

    async close() {
      closed = true
      await fanout.close()
    },

    subscriberCount: () => fanout.size(),
  }
}
