/**
 * Test support for tab sharing (not a test file itself): a real Reality
 * server on 127.0.0.1 that records every sync request body it gets, serves
 * `GET /data/<key>` (counting fetches per key) and, optionally, a page.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { SyncRequest } from '../protocol/types.js'
import { createRealityServer, memoryVersions, type RealityServer, type RealityServerOptions } from '../server/index.js'
import { toNodeHandler } from '../server/node.js'

/** A recording loopback server for tab tests. */
export interface TabsTestServer {
  origin: string
  reality: RealityServer
  /** Every sync request body, in arrival order, with the path it came to. */
  syncs: (SyncRequest & { path: string })[]
  /** Sync requests in flight right now, per path. */
  open(path?: string): number
  /** The most sync requests in flight at once to `path` since the last `resetPeak()`. */
  peak(path: string): number
  resetPeak(): void
  /** Fetches of `GET /data/<key>` per key. */
  fetches: Map<string, number>
  /** Every fetch, in arrival order: the key and the `?tab=` it was labelled with. */
  fetchLog: { key: string; tab: string | null }[]
  /** Sets a key's data and bumps its version, as an app's write would. */
  write(key: string, value: string): Promise<void>
  close(): Promise<void>
}

/**
 * Starts the server. `page` serves extra routes (the test page and its script); `options` go to the Reality server.
 *
 * @example
 * const server = await startTabsTestServer({ '/': { type: 'text/html', body: '<script src="/page.js"></script>' } })
 */
export async function startTabsTestServer(page: Record<string, { type: string; body: string }> = {}, options: RealityServerOptions = {}): Promise<TabsTestServer> {
  const reality = createRealityServer({ versions: memoryVersions(), ...options })
  const syncs: TabsTestServer['syncs'] = []
  const openPerPath = new Map<string, number>()
  const peaks = new Map<string, number>()
  const fetches = new Map<string, number>()
  const fetchLog: TabsTestServer['fetchLog'] = []
  const data = new Map<string, string>()
  const sync = toNodeHandler(async (request) => {
    const path = new URL(request.url).pathname
    syncs.push({ ...((await request.clone().json()) as SyncRequest), path })
    return reality.handler(request)
  })
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname
    if (path.endsWith('/sync')) {
      const open = (openPerPath.get(path) ?? 0) + 1
      openPerPath.set(path, open)
      peaks.set(path, Math.max(open, peaks.get(path) ?? 0))
      res.once('close', () => openPerPath.set(path, openPerPath.get(path)! - 1))
      return void sync(req, res)
    }
    if (path.startsWith('/data/')) {
      const key = decodeURIComponent(path.slice('/data/'.length))
      fetches.set(key, (fetches.get(key) ?? 0) + 1)
      fetchLog.push({ key, tab: url.searchParams.get('tab') })
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      return res.end(JSON.stringify(data.get(key) ?? `${key}:initial`))
    }
    const file = page[path]
    if (!file) {
      res.writeHead(404)
      return res.end()
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' })
    res.end(file.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reality,
    syncs,
    open: (path) => (path ? (openPerPath.get(path) ?? 0) : [...openPerPath.values()].reduce((sum, count) => sum + count, 0)),
    peak: (path) => peaks.get(path) ?? 0,
    resetPeak: () => openPerPath.forEach((open, path) => peaks.set(path, open)),
    fetches,
    fetchLog,
    async write(key, value) {
      data.set(key, value)
      await reality.invalidate([key])
    },
    async close() {
      await reality.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
