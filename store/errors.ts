/**
 * The one error type the client throws or puts on a node, so callers can
 * branch on `error.code` instead of parsing messages.
 */

/** What went wrong, machine-readable. */
export type RealityErrorCode =
  /** A sync request failed: network, HTTP error status, or the server refused it. */
  | 'sync_failed'
  /** The server (or another copy of the library) speaks a different protocol, or answered something that is not protocol v1. */
  | 'protocol_mismatch'
  /** The node's fetcher threw or rejected. */
  | 'fetch_failed'
  /** The node's schema rejected fetched data or an inline payload. */
  | 'validation_failed'
  /** The server's authorize hook refused the key. */
  | 'denied'
  /** `hydrate(store, snapshot)` of `reality/ssr` got something that is not a snapshot from `dehydrate(store)`. */
  | 'invalid_snapshot'
  /** The store was destroyed. */
  | 'destroyed'

/** Extra facts attached to a {@link RealityError}. */
export interface RealityErrorDetails {
  /** HTTP status of a failed sync, when there was a response. */
  status?: number
  /** The server's error code (`{error:{code}}`), for failed syncs. */
  serverCode?: string
  /** Milliseconds the server asked us to wait (`Retry-After`). */
  retryAfter?: number
  /** The node's key, for node errors. */
  key?: string
  /** The underlying error (fetcher rejection, network error…). */
  cause?: unknown
  /** Schema issues, for `validation_failed`. */
  issues?: ReadonlyArray<{ message: string }>
}

/**
 * A client error with a `code`, and when they apply an HTTP `status`, a
 * `retryAfter` in milliseconds, the node `key` and the `cause`.
 *
 * @example
 * const { error } = handle.get()
 * if (error instanceof RealityError && error.code === 'validation_failed') showBadData(error.issues)
 */
export class RealityError extends Error implements RealityErrorDetails {
  override name = 'RealityError'
  declare status?: number
  declare retryAfter?: number
  declare serverCode?: string
  declare key?: string
  declare issues?: ReadonlyArray<{ message: string }>
  constructor(
    readonly code: RealityErrorCode,
    message: string,
    details?: RealityErrorDetails,
  ) {
    super(message, details)
    Object.assign(this, details)
  }
}
