/**
 * An in-process HTTP server for the coalescing figure: the Reality sync
 * handler plus the app's data route, counting every request that arrives
 * (aborted long-polls included) and how many keys each sync listed.
 */
import { createServer, type Server } from 'node:http'
import { createRealityServer, type RealityServer } from '../../server/index.js'
import { toNodeHandler } from '../../server/node.js'

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
  const counted = async (request: Request) => {
    // Count from a clone and hand the handler the original Request. Node's
    // Request only follows the signal it was made with while the Request
    // object itself is alive (undici holds that link weakly): a wrapper
    // Request, or a Request nobody references during a held poll, loses the
    // client's abort at the next GC.
    void request
      .clone()
      .text()
      .then((text) => counts.keysPerSync.push(Object.keys((JSON.parse(text) as { known: object }).known).length))
      .catch(() => counts.keysPerSync.push(-1))
    const response = await reality.handler(request)
    // Touch the Request after the answer: it stays alive while held, and
    // with it the link that aborts its signal when the client goes away.
    void request.method
    return response
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
