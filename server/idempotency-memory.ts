import type { IdempotencyClaim, IdempotencyStore } from './idempotency.js'

/**
 * Options of {@link memoryIdempotency}.
 *
 * @example
 * memoryIdempotency({ maxEntries: 50_000 })
 */
export interface MemoryIdempotencyOptions {
  /** Keys remembered at most (the oldest go first). Default 10 000. */
  maxEntries?: number
}

type Entry = { owner: string; expires: number; done: false } | { owner: string; expires: number; done: true; result: unknown }

/**
 * Idempotency keys in this process's memory (the default of
 * `idempotentWrites`): results are kept as they are (not serialised), and
 * bounded by `maxEntries`. With several server instances, route a client's
 * writes to one, or use `redisIdempotency` / `postgresIdempotency`.
 *
 * @example
 * const store = memoryIdempotency({ maxEntries: 50_000 })
 * const writes = idempotentWrites({ store })
 * store.size() // keys remembered now
 */
export function memoryIdempotency(options: MemoryIdempotencyOptions = {}): IdempotencyStore & { size(): number } {
  const maxEntries = options.maxEntries ?? 10_000
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new TypeError(`memoryIdempotency: maxEntries must be a whole number ≥ 1; got ${JSON.stringify(options.maxEntries)}.`)
  const entries = new Map<string, Entry>()
  let claims = 0

  return {
    async claim(key, lease): Promise<IdempotencyClaim> {
      const now = Date.now()
      const known = entries.get(key)
      if (known && known.expires > now) return known.done ? { state: 'done', result: known.result } : { state: 'running' }
      const owner = String(++claims)
      entries.delete(key) // re-inserted last: the newest
      entries.set(key, { owner, expires: now + lease, done: false })
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break
        entries.delete(oldest)
      }
      return { state: 'claimed', owner }
    },
    async finish(key, owner, result, ttl) {
      if (entries.get(key)?.owner === owner) entries.set(key, { owner, expires: Date.now() + ttl, done: true, result })
    },
    async release(key, owner) {
      if (entries.get(key)?.owner === owner) entries.delete(key)
    },
    size: () => entries.size,
  }
}
