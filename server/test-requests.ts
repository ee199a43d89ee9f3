/**
 * Builders shared by the server's tests: sync requests for the handler and
 * a condition poller (tests wait for events, never for fixed delays).
 */

/**
 * A `POST` sync request with a JSON body (objects are stringified).
 *
 * @example
 * await server.handler(syncRequest({ v: 1, known: { a: null } }))
 */
export function syncRequest(body: unknown, init: { headers?: Record<string, string>; signal?: AbortSignal; method?: string } = {}): Request {
  return new Request('http://reality.test/reality/sync', {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  })
}

/**
 * Resolves once `condition()` is true, checking after each macrotask
 * (setImmediate, so it also works under fake setTimeout). Fails after `limit` checks.
 *
 * @example
 * await until(() => server.stats().waiters === 1)
 */
export async function until(condition: () => boolean, limit = 100_000): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i > limit) throw new Error('until(): condition never became true')
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/**
 * Whether a promise has settled, without waiting for it.
 *
 * @example
 * const probe = settled(promise); await until(() => probe.done)
 */
export function settled<T>(promise: Promise<T>): { done: boolean; promise: Promise<T> } {
  const state = { done: false, promise }
  promise.then(
    () => (state.done = true),
    () => (state.done = true),
  )
  return state
}
