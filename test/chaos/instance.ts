/**
 * One Reality server process of the chaos suite: node:http + toNodeHandler
 * on 127.0.0.1:0 over Redis or Postgres (from env), plus the routes the
 * suite drives it with. Prints `{"port":…}` on stdout once listening.
 *
 *   POST /reality/sync      the sync endpoint
 *   POST /write?key=K       invalidate(K) → {"version":…}
 *   GET  /data?key=K        the app's own data route (what fetchers load) → {"version":…}
 *   GET  /stats             server.stats() and the pg pool's counts
 *
 * Env: CHAOS_BACKEND (redis | postgres), CHAOS_REDIS_URL, CHAOS_PREFIX,
 * CHAOS_POSTGRES_URL, CHAOS_TABLE, CHAOS_APP_NAME (application_name of every
 * pg connection, so the suite terminates only its own backends).
 * No uncaughtException handler on purpose: a crash must show as an exit.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import pg from 'pg'
import { createRealityServer } from '../../server/index.js'
import { toNodeHandler } from '../../server/node.js'
import type { VersionStore } from '../../server/version-store.js'
import { postgresVersions } from '../../server/versions/postgres.js'
import { redisVersions } from '../../server/versions/redis.js'

const backend = process.env.CHAOS_BACKEND
let versions: VersionStore
let pool: pg.Pool | undefined
let redis: Redis | undefined
if (backend === 'redis') {
  redis = new Redis(process.env.CHAOS_REDIS_URL!, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => 200 })
  redis.on('error', () => {}) // reconnects by itself; commands report errors (503 to clients)
  versions = redisVersions({ redis, prefix: process.env.CHAOS_PREFIX! })
} else if (backend === 'postgres') {
  pool = new pg.Pool({ connectionString: process.env.CHAOS_POSTGRES_URL, max: 6, application_name: process.env.CHAOS_APP_NAME })
  pool.on('error', () => {}) // the README's advice: idle clients die with their backend
  versions = postgresVersions({ pool, table: process.env.CHAOS_TABLE!, connectTimeout: 3_000 })
} else {
  throw new Error('CHAOS_BACKEND must be redis or postgres.')
}

let internalErrors = 0
const reality = createRealityServer({ versions, onError: () => internalErrors++ })
const sync = toNodeHandler(reality.handler)

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body))
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://instance')
  if (url.pathname === '/reality/sync') return sync(req, res)
  const key = url.searchParams.get('key') ?? ''
  if (req.method === 'POST' && url.pathname === '/write') {
    reality.invalidate([key]).then(
      (written) => json(res, 200, { version: written[key] }),
      () => json(res, 503, { error: 'write failed' }),
    )
    return
  }
  if (req.method === 'GET' && url.pathname === '/data') {
    reality.getVersions([key]).then(
      (read) => json(res, 200, { version: read[key] }),
      () => json(res, 503, { error: 'read failed' }),
    )
    return
  }
  if (req.method === 'GET' && url.pathname === '/stats') {
    return json(res, 200, { stats: reality.stats(), pool: pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : undefined, internalErrors })
  }
  json(res, 404, { error: 'not found' })
})

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`)
})

// Everything stops by itself: if the suite's process goes away (a test
// timeout), so does this instance.
const parent = Number(process.env.CHAOS_PARENT)
setInterval(() => {
  if (parent && process.ppid !== parent) process.exit(0)
}, 500).unref()

process.on('SIGTERM', () => {
  void (async () => {
    await reality.close()
    server.closeAllConnections()
    server.close()
    await versions.close?.()
    await pool?.end().catch(() => {})
    redis?.disconnect()
    process.exit(0)
  })()
})
