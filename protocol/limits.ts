/**
 * Constants of wire protocol v1. Plain values with no dependencies, so the
 * client can import them without pulling zod into its bundle.
 */

/** The protocol version every request and response carries as `v`. */
export const PROTOCOL_VERSION = 1 as const

/** Where the sync handler listens unless configured otherwise. */
export const DEFAULT_ENDPOINT = '/reality/sync'

/** The most bytes a sync request body may have (64 KiB). */
export const MAX_BODY_BYTES = 64 * 1024

/** The most keys one sync request may list. */
export const MAX_KEYS = 1000

/** The longest key, in UTF-16 code units. Keys are at least 1 long. */
export const MAX_KEY_LENGTH = 256

/** The longest long-poll a server holds, in milliseconds. Longer waits are clamped. */
export const MAX_WAIT_MS = 30_000

/** The largest inline payload a writer may attach, in bytes of JSON. */
export const MAX_PAYLOAD_BYTES = 8 * 1024

/**
 * The most requests one server instance holds at once (beyond it: 503
 * `overloaded`). Sized so held requests fit in about 256 MiB: about 10 KB
 * each over node:http, socket and request objects included.
 */
export const MAX_HELD = 25_000

/** How long a client may take to send its request body, in milliseconds (then 408). */
export const BODY_TIMEOUT_MS = 10_000

/**
 * Every limit the server enforces. All are configurable through
 * `createRealityServer({ limits })`; these are the defaults.
 */
export interface Limits {
  /** Body size cap in bytes (413 above it). */
  maxBodyBytes: number
  /** Keys per request (400 above it). */
  maxKeys: number
  /** Key length in UTF-16 code units (400 above it). */
  maxKeyLength: number
  /** Long-poll clamp in milliseconds. */
  maxWait: number
  /** Inline payload cap in bytes of JSON (`invalidate` throws above it). */
  maxPayloadBytes: number
  /** Requests held at once per server instance; beyond it a request that would be held gets 503 `overloaded`. */
  maxHeld: number
  /** Milliseconds a request body may take to arrive; a slower one gets 408 `request_timeout`. */
  bodyTimeout: number
}

/** The default {@link Limits}. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxBodyBytes: MAX_BODY_BYTES,
  maxKeys: MAX_KEYS,
  maxKeyLength: MAX_KEY_LENGTH,
  maxWait: MAX_WAIT_MS,
  maxPayloadBytes: MAX_PAYLOAD_BYTES,
  maxHeld: MAX_HELD,
  bodyTimeout: BODY_TIMEOUT_MS,
})

/**
 * Matches a control character (C0, DEL or C1). Keys must not contain one:
 * they end up in logs, Redis channels and SQL rows.
 */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/

/**
 * Why a key is not acceptable, or `undefined` when it is.
 *
 * @example
 * keyProblem('chat:room:general') // undefined
 * keyProblem('') // 'Keys must not be empty.'
 */
export function keyProblem(key: unknown, maxKeyLength = MAX_KEY_LENGTH): string | undefined {
  if (typeof key !== 'string') return 'Keys must be strings.'
  if (key.length === 0) return 'Keys must not be empty.'
  if (key.length > maxKeyLength) return `Keys must be at most ${maxKeyLength} characters long.`
  if (CONTROL_CHARACTER.test(key)) return 'Keys must not contain control characters.'
  return undefined
}
