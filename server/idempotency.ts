import { ProtocolError } from '../protocol/error.js'
import { memoryIdempotency } from './idempotency-memory.js'

/**
 * What a store answers when a write asks for its key: this caller runs the
 * write (`claimed`), another is running it (`running`), or it ran (`done`,
 * with its result).
 *
 * @example
 * const claim: IdempotencyClaim = { state: 'done', result: { id: 7 } }
 */
export type IdempotencyClaim = { state: 'claimed'; owner: string } | { state: 'running' } | { state: 'done'; result: unknown }

/**
 * Where idempotency keys live: in memory ({@link memoryIdempotency}, the
 * default), or shared by every server instance (`redisIdempotency` of
 * `reality/server/redis`, `postgresIdempotency` of `reality/server/postgres`).
 * The first `claim` of a key wins; the others see it running, then done.
 *
 * @example
 * const writes = idempotentWrites({ store: memoryIdempotency({ maxEntries: 50_000 }) })
 */
export interface IdempotencyStore {
  /** Takes the key for a write for `lease` ms, unless it is taken (running) or done. */
  claim(key: string, lease: number): Promise<IdempotencyClaim>
  /** The write of `owner`'s claim succeeded: keep its result for `ttl` ms (shared stores keep it as JSON). */
  finish(key: string, owner: string, result: unknown, ttl: number): Promise<void>
  /** The write of `owner`'s claim failed: free the key, so a retry runs it. */
  release(key: string, owner: string): Promise<void>
}

/**
 * Options of {@link idempotentWrites}.
 *
 * @example
 * idempotentWrites({ store: redisIdempotency({ redis }), ttl: 60 * 60_000 })
 */
export interface IdempotentWritesOptions {
  /** Where the keys live. Default: this process's memory (`memoryIdempotency()`, 10 000 keys at most). */
  store?: IdempotencyStore
  /** How long a result is remembered, ms. Default 24 h: longer than a client stays offline with a queued write, usually. */
  ttl?: number
  /**
   * How long a write may run, ms, before a replay on another instance takes
   * its key over (a crashed instance leaves a running key behind). Longer
   * than your slowest write. Default 60 s.
   */
  lease?: number
}

/**
 * Applies each write once per idempotency key (`reality/offline` sends one
 * with every queued mutation, in the `Idempotency-Key` header).
 *
 * @example
 * const writes = idempotentWrites()
 * const message = await writes.run(request.headers.get('idempotency-key'), () => db.insertMessage(text))
 */
export interface IdempotentWrites {
  /**
   * Runs `write` unless a write with this key already ran (or is running):
   * then resolves with that write's result instead. Without a key (`null`,
   * `undefined`) it just runs `write`. A write that throws is forgotten, so
   * a retry runs it again. A malformed key throws a `ProtocolError` 400.
   */
  run<T>(key: string | null | undefined, write: () => Promise<T> | T): Promise<T>
  /** Writes of this instance running now (their keys). */
  size(): number
}

/** What a key may be: 1–200 visible ASCII characters (a UUID is 36). */
const KEY = /^[\x21-\x7e]{1,200}$/
/** A replay of a key running on another instance asks again after this, doubling up to the cap, ms. */
const FIRST_POLL = 20
const MAX_POLL = 500

function checkDuration(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`idempotentWrites: ${name} must be a whole number of ms ≥ 1; got ${JSON.stringify(value)}.`)
  return value
}

/**
 * Idempotent writes: a replay after a lost response gets the first result
 * back and changes nothing. Replays of a key on this instance share the
 * first call's promise; with a shared store, a replay on another instance
 * that finds the key running asks again (20 ms, doubling to 0.5 s) until it
 * is done, released (then it runs the write itself) or its lease is over.
 *
 * With a shared store, results must be JSON-serialisable (what a replay
 * gets is the parsed JSON: a `Date` comes back as a string); a result
 * `JSON.stringify` cannot encode (a BigInt, a cycle) fails the call, and the
 * applied write's key stays taken until its lease ends.
 *
 * @example
 * const writes = idempotentWrites()
 * app.post('/api/messages', async (req, res) => {
 *   const message = await writes.run(req.get('idempotency-key'), async () => {
 *     const stored = await db.insertMessage(req.body.text)
 *     await reality.invalidate(['chat:room:general'])
 *     return stored
 *   })
 *   res.status(201).json(message)
 * })
 */
export function idempotentWrites(options: IdempotentWritesOptions = {}): IdempotentWrites {
  const store = options.store ?? memoryIdempotency()
  const ttl = checkDuration('ttl', options.ttl ?? 24 * 60 * 60_000)
  const lease = checkDuration('lease', options.lease ?? 60_000)
  /** Calls of this instance in progress, by key: replays here share them. */
  const running = new Map<string, Promise<unknown>>()

  async function apply<T>(key: string, write: () => Promise<T> | T): Promise<T> {
    let poll = FIRST_POLL
    for (;;) {
      const claim = await store.claim(key, lease)
      if (claim.state === 'done') return claim.result as T
      if (claim.state === 'claimed') {
        let result: T
        try {
          result = await write()
        } catch (error) {
          await store.release(key, claim.owner).catch(() => {}) // else the lease frees it
          throw error
        }
        await store.finish(key, claim.owner, result, ttl)
        return result
      }
      await new Promise((resolve) => setTimeout(resolve, poll))
      poll = Math.min(poll * 2, MAX_POLL)
    }
  }

  return {
    run<T>(key: string | null | undefined, write: () => Promise<T> | T): Promise<T> {
      if (key === null || key === undefined) return Promise.resolve().then(write)
      if (typeof key !== 'string' || !KEY.test(key)) {
        return Promise.reject(new ProtocolError(400, 'invalid_request', 'Idempotency-Key must be 1 to 200 visible ASCII characters (a UUID, for example).'))
      }
      const known = running.get(key)
      if (known) return known as Promise<T>
      const result = apply(key, write)
      running.set(key, result)
      const forget = () => {
        if (running.get(key) === result) running.delete(key)
      }
      result.then(forget, forget)
      return result
    },
    size: () => running.size,
  }
}
