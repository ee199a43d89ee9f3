import type { Pool, PoolClient } from 'pg'

/**
 * A pool client checked out by {@link connectGuarded}. `release` detaches
 * the guard listener and returns the client (or discards it, given an
 * error); calling it again does nothing.
 *
 * @example
 * const { client, release } = await connectGuarded(pool, 5000, 'no connection', (error) => log(error))
 * try { await client.query('SELECT 1') } finally { release() }
 */
export interface GuardedClient {
  client: PoolClient
  release(error?: Error | boolean): void
}

/**
 * Checks a client out of a `pg` pool with a deadline, safely:
 *
 * - The `error` listener is attached synchronously at hand-over (the
 *   callback form of `pool.connect`). pg-pool removes its own idle listener
 *   when it hands a client over, and a FATAL from a terminated backend can
 *   be parsed in the same socket read as the message that completed the
 *   hand-over: with the promise form, that `error` event would fire before
 *   any `await` resumes, with no listener, and crash the process.
 * - A client that arrives after the deadline goes straight back to the
 *   pool. Otherwise every timed-out connect would leak one client for good,
 *   and a small pool would be dead after a few timeouts.
 *
 * `onError` receives errors while the client is checked out (a backend
 * terminated between queries), with the client: it may fire before the
 * returned promise resolves. The caller decides whether to release.
 *
 * @example
 * const guarded = await connectGuarded(pool, 5000, 'PostgreSQL did not give a connection in time.', () => {})
 */
export function connectGuarded(pool: Pool, timeoutMs: number, timeoutMessage: string, onError: (error: Error, guarded: GuardedClient) => void): Promise<GuardedClient> {
  return new Promise((resolve, reject) => {
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      reject(new Error(timeoutMessage))
    }, timeoutMs)
    pool.connect((error, client, done) => {
      clearTimeout(timer)
      if (error || !client) {
        if (!timedOut) reject(error ?? new Error('pg gave no client.'))
        return
      }
      if (timedOut) {
        done() // nobody waits for it any more: back to the pool
        return
      }
      let released = false
      const guarded: GuardedClient = {
        client,
        release(releaseError?: Error | boolean) {
          if (released) return
          released = true
          client.off('error', listener)
          done(releaseError)
        },
      }
      const listener = (clientError: Error) => onError(clientError, guarded)
      client.on('error', listener)
      resolve(guarded)
    })
  })
}
