import { keyProblem, type Limits } from '../protocol/limits.js'
import type { BumpMeta, VersionStore } from './version-store.js'

/**
 * Options of `server.invalidate`.
 *
 * @example
 * await server.invalidate(['chat:room:1'], { hash: 'sha1:9f2c', payload: { unread: 3 } })
 */
export interface InvalidateOptions {
  /** Content hash of the new data: a client whose data has this hash may skip the refetch. */
  hash?: string
  /**
   * Small inline value sent with the change to clients allowed to read the
   * key (opt-in; must JSON-serialize within `limits.maxPayloadBytes`).
   */
  payload?: unknown
}

const encoder = new TextEncoder()

/**
 * Checks keys the app hands to a write (`invalidate`, `bumpIn`, …) and
 * returns them without duplicates; throws a TypeError naming the bad key.
 *
 * @example
 * normalizeKeys('invalidate', ['a', 'a', 'b'], 256) // ['a', 'b']
 */
export function normalizeKeys(operation: string, keys: unknown, maxKeyLength: number): string[] {
  const list = typeof keys === 'string' ? [keys] : keys
  if (!Array.isArray(list)) {
    throw new TypeError(`${operation}(keys) takes a key or an array of keys, e.g. ${operation}(['chat:room:general']).`)
  }
  for (const key of list) {
    const problem = keyProblem(key, maxKeyLength)
    if (problem) throw new TypeError(`${operation}: ${JSON.stringify(key)} is not a valid key. ${problem} Use keys such as "chat:room:general".`)
  }
  return [...new Set(list as string[])]
}

/**
 * Validates `options` into store metadata; the payload is stored as a JSON copy.
 *
 * @example
 * bumpMeta({ hash: '9f2c', payload: { unread: 3 } }, DEFAULT_LIMITS) // { hash: '9f2c', payload: { unread: 3 } }
 */
export function bumpMeta(options: InvalidateOptions | undefined, limits: Readonly<Limits>, operation = 'invalidate'): BumpMeta | undefined {
  if (options === undefined) return undefined
  if (typeof options !== 'object' || options === null) throw new TypeError(`${operation}(keys, options): options must be an object { hash?, payload? }.`)
  const meta: BumpMeta = {}
  if (options.hash !== undefined) {
    if (typeof options.hash !== 'string') throw new TypeError(`${operation}: hash must be a string; got ${typeof options.hash}.`)
    meta.hash = options.hash
  }
  if (options.payload !== undefined) {
    let json: string | undefined
    try {
      json = JSON.stringify(options.payload)
    } catch (error) {
      throw new TypeError(`${operation}: payload must be JSON-serializable (${(error as Error).message}).`)
    }
    if (json === undefined) throw new TypeError(`${operation}: payload must be a JSON value (not a function or symbol).`)
    const bytes = encoder.encode(json).byteLength
    if (bytes > limits.maxPayloadBytes) {
      throw new RangeError(`${operation}: payload is ${bytes} bytes of JSON; the limit is ${limits.maxPayloadBytes}. Send less inline (clients refetch the rest) or raise limits.maxPayloadBytes.`)
    }
    // A copy: later mutation of the app's object must not change what clients get.
    meta.payload = JSON.parse(json)
  }
  return meta
}

/**
 * The write side of a server: `invalidate` and `getVersions`, validating
 * keys and payloads before they reach the store.
 *
 * @example
 * const writer = createWriter(memoryVersions(), DEFAULT_LIMITS)
 * await writer.invalidate('user:42') // { 'user:42': 1732271234567000 }
 */
export function createWriter(store: VersionStore, limits: Readonly<Limits>) {
  return {
    async invalidate(keys: string | readonly string[], options?: InvalidateOptions): Promise<Record<string, number>> {
      const list = normalizeKeys('invalidate', keys, limits.maxKeyLength)
      const meta = bumpMeta(options, limits)
      const result: Record<string, number> = Object.create(null)
      if (list.length === 0) return result
      const entries = await store.bump(list, meta)
      for (const key of list) result[key] = entries.get(key)!.version
      return result
    },
    async getVersions(keys: string | readonly string[]): Promise<Record<string, number>> {
      const list = normalizeKeys('getVersions', keys, limits.maxKeyLength)
      const result: Record<string, number> = Object.create(null)
      if (list.length === 0) return result
      const entries = await store.read(list)
      // `?? 0` only guards a store that breaks the contract by leaving a key out:
      // stores read never-written keys as their floor version themselves.
      for (const key of list) result[key] = entries.get(key)?.version ?? 0
      return result
    },
  }
}
