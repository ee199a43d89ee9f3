/**
 * Test helper: finds the real Redis and PostgreSQL the networked version
 * stores are tested against (127.0.0.1:6379 and :5432, database `test`).
 * Where a service is missing, its tests skip with the reason in their name;
 * under CI=true a missing service fails the run instead of skipping. Also
 * the request/poll helpers both stores' tests drive the server with.
 */
import net from 'node:net'

export const REDIS_URL = process.env.REALITY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
export const POSTGRES_URL = process.env.REALITY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || defaultPort) })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/** `undefined` when the service answers; otherwise why its tests skip. Throws under CI. */
export async function serviceMissing(name: 'Redis' | 'PostgreSQL'): Promise<string | undefined> {
  const url = name === 'Redis' ? REDIS_URL : POSTGRES_URL
  if (await reachable(url, name === 'Redis' ? 6379 : 5432)) return undefined
  const reason = `${name} is not reachable at ${url}`
  if (process.env.CI) throw new Error(`${reason}; CI must run these tests (start the service, see .ci/run).`)
  console.warn(`[reality tests] skipping ${name} tests: ${reason}.`)
  return reason
}

/**
 * A protocol-v1 sync request for the server's handler.
 *
 * @example
 * const response = await server.handler(syncRequest({ a: null }, 1000))
 */
export function syncRequest(known: Record<string, number | null>, wait?: number, signal?: AbortSignal): Request {
  return new Request('http://test/reality/sync', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ v: 1, known, wait }),
    signal,
  })
}

/**
 * Counts completed reads: once the handler's read is done, the request is holding.
 *
 * @example
 * const reads = countReads(versions); await until(() => reads() === 1)
 */
export function countReads<T extends { read: (keys: readonly string[]) => Promise<unknown> }>(store: T): () => number {
  const read = store.read.bind(store)
  let reads = 0
  store.read = (async (keys: readonly string[]) => {
    const result = await read(keys)
    reads++
    return result
  }) as T['read']
  return () => reads
}

/**
 * Polls a (possibly async) condition until it holds, failing after `ms`.
 *
 * @example
 * await until(async () => (await server.stats()).held === 0)
 */
export async function until(condition: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const started = Date.now()
  while (!(await condition())) {
    if (Date.now() - started > ms) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * A networked store whose close() also releases the connection it was given
 * (a store never closes your client or pool), so each test leaves nothing open.
 *
 * @example
 * const versions = closingWith(redisVersions({ redis, prefix }), () => redis.quit())
 */
export function closingWith<T extends { close?: () => Promise<void> }>(store: T, release: () => Promise<unknown>): T & { close: () => Promise<void> } {
  const close = store.close?.bind(store)
  return Object.assign(store, {
    async close() {
      await close?.()
      await release()
    },
  })
}
