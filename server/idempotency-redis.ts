import type { Redis } from 'ioredis'
import type { IdempotencyClaim, IdempotencyStore } from './idempotency.js'

/**
 * Options of {@link redisIdempotency}.
 *
 * @example
 * redisIdempotency({ redis: new Redis(url), prefix: '{myapp}' })
 */
export interface RedisIdempotencyOptions {
  /** An ioredis client. The store never closes it (it is yours). */
  redis: Redis
  /** Prefix of the Redis keys (`<prefix>:idempotency:<key>`). Default `'{reality}'`. */
  prefix?: string
}

/** What a running write's key holds until its result replaces it; results are JSON, so they start with `{`. */
const RUNNING = 'running:'

// Takes the key if nobody has it (SET NX, expiring after the lease);
// otherwise answers what it holds, in the same atomic step.
const CLAIM = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return redis.call('GET', KEYS[1])
`

// Frees the key only if it still holds this owner's running mark (its lease
// may have ended and another instance taken the key over).
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`

/**
 * Idempotency keys in Redis, shared by every server instance
 * (`idempotentWrites({ store })`): the first `SET NX` of a key wins and
 * holds it for the lease; the result replaces it as JSON, kept for the ttl;
 * a failed write deletes it. Results must be JSON-serialisable.
 *
 * @example
 * import Redis from 'ioredis'
 * import { idempotentWrites } from 'reality/server'
 * import { redisIdempotency } from 'reality/server/redis'
 *
 * const writes = idempotentWrites({ store: redisIdempotency({ redis: new Redis('redis://127.0.0.1:6379') }) })
 */
export function redisIdempotency(options: RedisIdempotencyOptions): IdempotencyStore {
  const { redis } = options
  if (!redis || typeof redis.eval !== 'function' || typeof redis.set !== 'function') {
    throw new TypeError('redisIdempotency({ redis }) needs an ioredis client: redisIdempotency({ redis: new Redis(url) }).')
  }
  const prefix = `${options.prefix ?? '{reality}'}:idempotency:`

  return {
    async claim(key, lease): Promise<IdempotencyClaim> {
      const owner = RUNNING + crypto.randomUUID()
      const held = (await redis.eval(CLAIM, 1, prefix + key, owner, String(lease))) as string | null
      if (held === null) return { state: 'claimed', owner }
      if (held.startsWith(RUNNING)) return { state: 'running' }
      return { state: 'done', result: (JSON.parse(held) as { result?: unknown }).result }
    },
    async finish(key, _owner, result, ttl) {
      // Wrapped, so `undefined` (no body) round-trips too.
      await redis.set(prefix + key, JSON.stringify({ result }), 'PX', ttl)
    },
    async release(key, owner) {
      await redis.eval(RELEASE, 1, prefix + key, owner)
    },
  }
}
