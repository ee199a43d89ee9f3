import { ProtocolError } from '../protocol/error.js'

/**
 * Options of {@link idempotentWrites}.
 *
 * @example
 * idempotentWrites({ maxEntries: 50_000, ttl: 60 * 60_000 })
 */
export interface IdempotentWritesOptions {
  /** Results remembered at most (the oldest go first). Default 10 000. */
  maxEntries?: number
  /** How long a result is remembered, ms. Default 24 h: longer than a client stays offline with a queued write, usually. */
  ttl?: number
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
  /** Keys remembered now. */
  size(): number
}

/** What a key may be: 1–200 visible ASCII characters (a UUID is 36). */
const KEY = /^[\x21-\x7e]{1,200}$/

/**
 * Idempotent writes in memory (one process). A replay after a lost response
 * gets the first result back and changes nothing.
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
  const { maxEntries = 10_000, ttl = 24 * 60 * 60_000 } = options
  const results = new Map<string, { result: Promise<unknown>; at: number }>()
  return {
    run<T>(key: string | null | undefined, write: () => Promise<T> | T): Promise<T> {
      if (key === null || key === undefined) return Promise.resolve().then(write)
      if (!KEY.test(key)) {
        return Promise.reject(new ProtocolError(400, 'invalid_request', 'Idempotency-Key must be 1 to 200 visible ASCII characters (a UUID, for example).'))
      }
      const now = Date.now()
      const known = results.get(key)
      if (known && known.at > now - ttl) return known.result as Promise<T>
      const result = Promise.resolve().then(write)
      results.delete(key)
      results.set(key, { result, at: now })
      result.catch(() => {
        if (results.get(key)?.result === result) results.delete(key)
      })
      for (const oldest of results.keys()) {
        if (results.size <= maxEntries) break
        results.delete(oldest)
      }
      return result
    },
    size: () => results.size,
  }
}
