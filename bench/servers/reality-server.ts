/**
 * The Reality side of the latency and idle-traffic figures, in its own
 * process: `POST /reality/sync` through node:http + toNodeHandler, and the
 * app's own data route `GET /data/<key>` the client's fetcher calls.
 *
 * Env: MAX_WAIT (ms, the server's long-poll clamp); MAX_STREAM and HEARTBEAT
 * (ms, a stream's lifetime and heartbeat period); PAYLOAD=1 to write every
 * change (the first one included) with its inline payload.
 * Commands: `change` {seq} → new item, invalidated; `bytes` → socket totals; `requests` → counts per route.
 */
import { createServer } from 'node:http'
import { createRealityServer } from '../../server/index.js'
import { toNodeHandler } from '../../server/node.js'
import { benchItem, BENCH_KEY, type BenchItem } from '../lib/change-data.js'
import { serveOverIpc } from '../lib/server-process.js'
import { countSocketBytes } from '../lib/socket-bytes.js'

const maxWait = Number(process.env.MAX_WAIT ?? 30_000)
const withPayload = process.env.PAYLOAD === '1'
const reality = createRealityServer({
  maxWait,
  ...(process.env.MAX_STREAM ? { maxStream: Number(process.env.MAX_STREAM) } : {}),
  ...(process.env.HEARTBEAT ? { heartbeat: Number(process.env.HEARTBEAT) } : {}),
})
const sync = toNodeHandler(reality.handler)
let current: BenchItem = benchItem(0)
const requests = { sync: 0, data: 0 }

const http = createServer((req, res) => {
  if (req.url === '/reality/sync') {
    requests.sync++
    return sync(req, res)
  }
  if (req.method === 'GET' && req.url === `/data/${encodeURIComponent(BENCH_KEY)}`) {
    requests.data++
    const body = JSON.stringify(current)
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    return res.end(body)
  }
  res.writeHead(404).end()
})
http.keepAliveTimeout = 120_000
const bytes = countSocketBytes(http)

http.listen(0, '127.0.0.1', async () => {
  // Written once so the key has a real version before any client arrives.
  // With payloads, this first write carries one too: the client adopts a
  // payload only over exact data (see store/node.ts), so a key whose first
  // data came from the fetcher keeps using the fetcher.
  await reality.invalidate([BENCH_KEY], withPayload ? { payload: current } : undefined)
  serveOverIpc((http.address() as { port: number }).port, {
    async change(arg) {
      // Stamp first: the change happens now, whatever invalidate costs.
      current = benchItem((arg as { seq: number }).seq)
      await reality.invalidate([BENCH_KEY], withPayload ? { payload: current } : undefined)
    },
    bytes: () => bytes.totals(),
    requests: () => ({ ...requests }),
  })
})
