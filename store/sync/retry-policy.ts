/**
 * When to try again after a failure (ARCHITECTURE.md C7). One small policy
 * for sync requests and fetchers alike, so the numbers live in one place:
 *
 * - failures a retry can fix back off from 0.5 s, doubling to 8 s, with full
 *   jitter (a random delay between 0 and the cap), so clients that failed
 *   together do not come back together; sync requests are tiny, so the cap
 *   is low and a server that returns is seen within seconds;
 * - a server's `Retry-After` wins over the backoff, clamped to [1 s, 5 min]
 *   (`setTimeout` turns anything above 2³¹−1 ms into 1 ms: an unclamped
 *   `Retry-After: 2592000` would retry hundreds of times a second);
 * - failures a retry will not fix (`error`) are still retried, about every
 *   60 s with jitter, because outside a browser no focus or online event
 *   will ever come to wake the store.
 */

/** First backoff delay cap, ms. */
export const FIRST_BACKOFF = 500
/** Largest backoff delay cap, ms. */
export const MAX_BACKOFF = 8000
/** Bounds of a server's `Retry-After`, ms. */
export const MIN_RETRY_AFTER = 1000
export const MAX_RETRY_AFTER = 300_000
/** Mean delay between retries from `error`, ms. */
export const ERROR_RETRY = 60_000

/**
 * Backoff before attempt `attempt + 1` (attempt counts failures, from 1):
 * full jitter over 0.5 s, 1 s, 2 s, 4 s, 8 s, 8 s…
 *
 * @example
 * backoffDelay(1) // 0–500
 * backoffDelay(9) // 0–8000
 */
export function backoffDelay(attempt: number): number {
  const cap = Math.min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** Math.min(attempt - 1, 10))
  return Math.random() * cap
}

/**
 * A server's `Retry-After` (ms), clamped to [1 s, 5 min].
 *
 * @example
 * clampRetryAfter(2_592_000_000) // 300000
 * clampRetryAfter(0) // 1000
 */
export function clampRetryAfter(retryAfter: number): number {
  return Math.min(MAX_RETRY_AFTER, Math.max(MIN_RETRY_AFTER, retryAfter))
}

/**
 * How long to wait after the `attempt`-th failure in a row: the server's
 * `Retry-After` when it sent one, the jittered backoff otherwise.
 *
 * @example
 * retryDelay(3) // 0–2000
 * retryDelay(1, 5000) // 5000
 */
export function retryDelay(attempt: number, retryAfter?: number): number {
  return retryAfter === undefined ? backoffDelay(attempt) : clampRetryAfter(retryAfter)
}

/**
 * Delay before the store tries again by itself from `error`: 45–75 s.
 *
 * @example
 * errorRetryDelay() // e.g. 61234
 */
export function errorRetryDelay(): number {
  return ERROR_RETRY * (0.75 + Math.random() / 2)
}

/**
 * Can a retry fix this sync failure? Network errors, deadlines, truncated or
 * non-JSON answers (no `status`), 408, 429 and 5xx can; other statuses and a
 * JSON answer that is not protocol v1 (`protocol_mismatch`) cannot.
 *
 * @example
 * isRetryable(new RealityError('sync_failed', '503', { status: 503 })) // true
 */
export function isRetryable(error: { code?: string; status?: number } | undefined): boolean {
  const status = error?.status
  if (error?.code === 'protocol_mismatch') return false
  return !status || status > 499 || status === 408 || status === 429
}
