/**
 * An in-process HTTP server for the coalescing figure: the Reality sync
 * handler plus the app's data route, counting every request that arrives
 * (aborted long-polls included) and how many keys each sync listed.
 */
import { createServer, type Server } from 'node:http'
import { createRealityServer, toNodeHandler, type RealityServer } from '../../server/index.js'

/** Counts since the last `reset()`. */
export interface RequestCounts {
  sync: number
  /** Keys listed by each sync request, in arrival order. */
  keysPerSync: number[]
  /** Data GETs (the fetcher's requests). */
  data: number
  /** Arrival order: `s` per sync, `d` per data GET. */
  order: string
}

/** A running counting server. */
export interface CountingServer {
  origin: string
  reality: RealityServer
  counts: RequestCounts
  /** When the last request of any kind arrived (ms, performance.now()). */
  lastRequestAt(): number
  /** Sync requests not answered yet: arrival time and whether their socket is gone. */
  openSyncs(): { at: number; socketDestroyed: boolean }[]
  reset(): void
  close(): Promise<void>
}

/**
 * Starts the server on 127.0.0.1 (ephemeral port).
 *
 * @example
 * const server = await startCountingServer()
 * // … clients sync against `${server.origin}/reality/sync`
 * server.counts.sync // 1
 */
export async function startCountingServer(): Promise<CountingServer> {
  const reality = createRealityServer()
  let counts: RequestCounts = { sync: 0, keysPerSync: [], data: 0, order: '' }
  let last = performance.now()
  const counted = (request: Request) => {
    // Count from a clone and hand the handler the original Request: a new
    // Request made with `signal: request.signal` would only follow the
    // original's signal while the original is alive (undici holds that link
    // weakly), so a GC during a held poll would lose the client's abort.
    void request
      .clone()
      .text()
      .then((text) => counts.keysPerSync.push(Object.keys((JSON.parse(text) as { known: object }).known).length))
      .catch(() => counts.keysPerSync.push(-1))
    return reality.handler(request)
  }
  const sync = toNodeHandler(counted)
  const open = new Set<{ at: number; socket: import('node:net').Socket }>()
  const http: Server = createServer((req, res) => {
    last = performance.now()
    if (req.url === '/reality/sync') {
      counts.sync++
      counts.order += 's'
      const entry = { at: last, socket: req.socket }
      open.add(entry)
      res.once('close', () => open.delete(entry))
      return sync(req, res)
    }
    if (req.method === 'GET' && req.url?.startsWith('/data/')) {
      counts.data++
      counts.order += 'd'
      const key = decodeURIComponent(req.url.slice('/data/'.length))
      void reality.getVersions([key]).then((versions) => {
        const body = JSON.stringify({ key, version: versions[key] })
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body)
      })
      return
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  return {
    origin: `http://127.0.0.1:${(http.address() as { port: number }).port}`,
    reality,
    get counts() {
      return counts
    },
    lastRequestAt: () => last,
    openSyncs: () => [...open].map((o) => ({ at: Math.round(o.at), socketDestroyed: o.socket.destroyed })),
    reset() {
      counts = { sync: 0, keysPerSync: [], data: 0, order: '' }
    },
    async close() {
      await reality.close()
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}
