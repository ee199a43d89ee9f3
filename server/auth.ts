/**
 * Decides which of the requested keys this request may watch. Return the
 * allowed keys (an array or a Set, sync or async); every other requested key
 * is answered in `denied` and its version is never revealed. Throw a
 * {@link RealityAuthError} to answer 401 or 403 for the whole request; any
 * other error becomes a generic 500 (and goes to `onError`).
 *
 * @example
 * const authorize: Authorize = async (request, keys) => {
 *   const user = await sessionUser(request)
 *   if (!user) throw new RealityAuthError(401, 'Sign in to sync.')
 *   return keys.filter((key) => !key.startsWith('admin:') || user.isAdmin)
 * }
 */
export type Authorize = (request: Request, keys: string[]) => Iterable<string> | Promise<Iterable<string>>

/**
 * Options of {@link RealityAuthError}.
 *
 * @example
 * new RealityAuthError(401, 'Sign in.', { headers: { 'WWW-Authenticate': 'Bearer' } })
 */
export interface RealityAuthErrorOptions {
  /** Extra response headers, e.g. `{ 'WWW-Authenticate': 'Bearer' }` for a 401. */
  headers?: Record<string, string>
}

/**
 * Thrown by an `authorize` hook to refuse the whole request with 401
 * (`unauthorized`: who are you?) or 403 (`forbidden`: not you). The message
 * is sent to the client as is, so say what to do.
 *
 * @example
 * throw new RealityAuthError(401, 'Your session expired. Sign in again.', {
 *   headers: { 'WWW-Authenticate': 'Bearer' },
 * })
 */
export class RealityAuthError extends Error {
  override readonly name = 'RealityAuthError'
  readonly headers: Record<string, string>

  constructor(
    readonly status: 401 | 403,
    message: string = status === 401 ? 'Authentication is required to sync these keys.' : 'You may not sync these keys.',
    options: RealityAuthErrorOptions = {},
  ) {
    super(message)
    if (status !== 401 && status !== 403) throw new TypeError(`RealityAuthError status must be 401 or 403; got ${String(status)}.`)
    this.headers = { ...options.headers }
  }
}

/**
 * Splits the requested keys into allowed (in request order) and denied,
 * ignoring any key the hook returns that was not requested.
 * Throws `TypeError` when the hook returned something that is not a collection of keys.
 *
 * @example
 * splitAllowed(['a', 'b'], new Set(['a', 'x'])) // { allowed: ['a'], denied: ['b'] }
 */
export function splitAllowed(requested: string[], allowed: unknown): { allowed: string[]; denied: string[] } {
  if (allowed === null || typeof allowed !== 'object' || typeof (allowed as Iterable<unknown>)[Symbol.iterator] !== 'function' || typeof allowed === 'string') {
    throw new TypeError('authorize must return the allowed keys as an array or a Set.')
  }
  const allowedSet = allowed instanceof Set ? (allowed as Set<unknown>) : new Set(allowed as Iterable<unknown>)
  const result = { allowed: [] as string[], denied: [] as string[] }
  for (const key of requested) (allowedSet.has(key) ? result.allowed : result.denied).push(key)
  return result
}
