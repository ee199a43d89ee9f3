import { DEFAULT_LIMITS, type Limits } from '../protocol/limits.js'
import type { StreamTiming } from './change-stream.js'

/**
 * Merges user limits over the defaults and checks them, so a typo (a
 * string, a negative number) fails at startup with a message instead of
 * weakening the server. `maxWait` (top-level option) wins over `limits.maxWait`.
 * `maxWait: 0` turns long-polling off: every request is answered at once.
 *
 * @example
 * resolveLimits({ maxKeys: 50 }, 10_000) // { maxBodyBytes: 65536, maxKeys: 50, …, maxWait: 10000 }
 */
export function resolveLimits(limits: Partial<Limits> | undefined, maxWait: number | undefined): Readonly<Limits> {
  const resolved: Limits = { ...DEFAULT_LIMITS }
  for (const [name, value] of Object.entries(limits ?? {})) {
    if (!(name in DEFAULT_LIMITS)) {
      throw new TypeError(`Unknown limit ${JSON.stringify(name)}. Known limits: ${Object.keys(DEFAULT_LIMITS).join(', ')}.`)
    }
    if (value !== undefined) resolved[name as keyof Limits] = value
  }
  if (maxWait !== undefined) resolved.maxWait = maxWait
  for (const [name, value] of Object.entries(resolved)) {
    const min = name === 'maxWait' ? 0 : 1
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      throw new TypeError(`limits.${name} must be a whole number ≥ ${min}; got ${JSON.stringify(value)}.`)
    }
  }
  // setTimeout overflows above 2^31 - 1 ms and would fire at once.
  if (resolved.maxWait > 2_147_483_647) throw new TypeError('maxWait must be at most 2147483647 ms.')
  if (resolved.bodyTimeout > 2_147_483_647) throw new TypeError('limits.bodyTimeout must be at most 2147483647 ms.')
  return Object.freeze(resolved)
}

/**
 * Checks the stream options (whole ms; the heartbeat at least 1 ms), so a
 * typo fails at startup.
 *
 * @example
 * resolveStreamTiming(undefined, undefined) // { maxStream: 300000, heartbeat: 15000 }
 */
export function resolveStreamTiming(maxStream = 300_000, heartbeat = 15_000): StreamTiming {
  for (const [name, value, min] of [['maxStream', maxStream, 0], ['heartbeat', heartbeat, 1]] as const) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > 2_147_483_647) {
      throw new TypeError(`${name} must be a whole number of ms between ${min} and 2147483647; got ${JSON.stringify(value)}.`)
    }
  }
  return { maxStream, heartbeat }
}
