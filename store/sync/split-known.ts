/**
 * Fitting `known` into the server's limits (ARCHITECTURE.md C1). A server
 * refuses more than `maxKeys` keys (400 `too_many_keys`) or a body over
 * `maxBodyBytes` (413); rather than stop syncing, the store sends its keys
 * in several requests that each fit. The default limits sit below the
 * server's defaults (1,000 keys, 64 KiB); an answer that says they are still
 * too high halves them (see the scheduler).
 */

/** The limits one sync request must fit in. */
export interface RequestLimits {
  maxKeys: number
  maxBytes: number
}

/** Below the server defaults (1,000 keys and 64 KiB), leaving room for the envelope. */
export const DEFAULT_LIMITS: RequestLimits = { maxKeys: 500, maxBytes: 48 * 1024 }

/** `{"v":1,"known":{},"wait":25000}` and slack. */
const ENVELOPE_BYTES = 64

/**
 * An upper bound of the bytes one `known` entry adds to the body:
 * `"key":1732271234567001,` in UTF-8 (`encodeURIComponent` counts 3 per
 * byte of a non-ASCII character, never fewer than JSON's UTF-8 bytes).
 */
function entryBytes(key: string): number {
  return encodeURIComponent(key).length + 24
}

/**
 * Splits `known` into parts that each fit `limits`, in key order. One part
 * when everything fits (the usual case: one request per tick).
 *
 * @example
 * splitKnown({ a: 1, b: null }, { maxKeys: 1, maxBytes: 1024 }) // [{ a: 1 }, { b: null }]
 */
export function splitKnown(known: Record<string, number | null>, limits: RequestLimits): Record<string, number | null>[] {
  const parts: Record<string, number | null>[] = []
  let part: Record<string, number | null> = Object.create(null)
  let keys = 0
  let bytes = ENVELOPE_BYTES
  for (const key in known) {
    const size = entryBytes(key)
    if (keys && (keys >= limits.maxKeys || bytes + size > limits.maxBytes)) {
      parts.push(part)
      part = Object.create(null)
      keys = 0
      bytes = ENVELOPE_BYTES
    }
    part[key] = known[key]!
    keys++
    bytes += size
  }
  if (keys) parts.push(part)
  return parts
}
