/**
 * Test support for the Postgres write paths (bumpIn, triggers, outbox,
 * Drizzle): unique table names per run (other runs share the server), pools
 * that are all ended afterwards, and a loopback Reality server with its own
 * pool and `postgresVersions` — one "instance" per call.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { startLoopbackServer, type LoopbackServer } from '../../test/loopback.js'
import { createStore, type Store } from '../../store/index.js'
import { POSTGRES_URL, until } from './test-services.js'
import { postgresVersions } from './postgres.js'
import type { PostgresVersionStore } from './postgres-transaction.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/**
 * A unique lower-case name for this test run: `<label>_<pid>_<random>`.
 *
 * @example
 * const table = uniqueName('messages') // messages_4711_k3x9
 */
export function uniqueName(label: string): string {
  return `${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
}

/**
 * Pools tagged with an `application_name` of this run, ended by `endAll()`.
 *
 * @example
 * const pools = createPools('reality_tx'); const pool = pools.open(); await pools.endAll()
 */
export function createPools(applicationName: string) {
  const pools = new Set<pg.Pool>()
  return {
    applicationName,
    open(max = 10): pg.Pool {
      const pool = new pg.Pool({ connectionString: POSTGRES_URL, max, application_name: applicationName })
      pool.on('error', () => {}) // clients of killed backends; the tests check outcomes, not this
      pools.add(pool)
      return pool
    },
    async endAll(): Promise<void> {
      await Promise.all([...pools].map((pool) => pool.end().catch(() => {})))
      pools.clear()
    },
  }
}

/** One server instance: a loopback HTTP server over its own pool and `postgresVersions`. */
export interface PostgresInstance {
  versions: PostgresVersionStore
  server: LoopbackServer
  close(): Promise<void>
}

/**
 * Starts a Reality server instance whose versions live in `versionsTable`.
 *
 * @example
 * const instance = await startPostgresInstance(pools.open(), 'reality_versions_test')
 */
export async function startPostgresInstance(pool: pg.Pool, versionsTable: string): Promise<PostgresInstance> {
  const versions = postgresVersions({ pool, table: versionsTable })
  const server = await startLoopbackServer({ versions })
  return {
    versions,
    server,
    async close() {
      await server.close()
      await versions.close?.()
    },
  }
}

/**
 * A real store (real `httpTransport`, long-poll) watching `key` on `endpoint`,
 * counting its fetches and keeping the last data.
 *
 * @example
 * const watcher = watchKey(instance.server.endpoint, 'chat:room:general', () => loadMessages())
 * await watcher.until((rows) => rows.length === 1)
 */
export function watchKey<T>(endpoint: string, key: string, fetcher: () => Promise<T>) {
  const store: Store = createStore({ endpoint, grace: 0 })
  let fetches = 0
  let latest: T | undefined
  const node = store.node(key, {
    fetcher: async () => {
      fetches++
      return fetcher()
    },
  })
  const stop = node.subscribe((state) => {
    if (state.data !== undefined) latest = state.data as T
  })
  return {
    store,
    fetches: () => fetches,
    data: () => latest,
    /** Waits until the held data satisfies `condition`. */
    until: (condition: (data: T) => boolean, ms = 15_000) => until(() => latest !== undefined && condition(latest), ms),
    /** Waits until the store holds a long-poll on the server (so a write now must wake it). */
    held: (server: LoopbackServer) => until(() => server.reality.stats().waiters === 1, 15_000),
    close() {
      stop()
      store.destroy()
    },
  }
}

/**
 * Runs `psql` (the real binary) with `sql` against the test database.
 *
 * @example
 * await psql(`INSERT INTO messages (room, text) VALUES ('general', 'hi')`)
 */
export function psql(sql: string, applicationName = `reality_test_psql_${process.pid}`): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', [POSTGRES_URL, '-v', 'ON_ERROR_STOP=1', '-X', '-q', '-t', '-A', '-c', sql], {
      env: { ...process.env, PGAPPNAME: applicationName },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('error', reject)
    child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`psql exited ${code}: ${stderr}`))))
  })
}

/**
 * Starts a TypeScript file of this repo as a child process (through tsx),
 * collecting its output lines.
 *
 * @example
 * const child = startScript('server/versions/test-transaction-writer.ts', { TABLE: 'x' })
 * await child.line('ready')
 */
export function startScript(file: string, env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    /** Waits for a line of stdout, failing early if the child exits first. */
    async line(text: string, ms = 45_000) {
      await until(() => {
        if (child.exitCode !== null && !stdout.includes(text)) throw new Error(`child exited ${child.exitCode} before "${text}": ${stderr}`)
        return stdout.split('\n').includes(text)
      }, ms)
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}
