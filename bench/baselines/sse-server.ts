/**
 * Baseline: a Server-Sent Events push server. Every change is written to
 * every open `GET /events` stream as one `data:` event carrying the item.
 *
 * Env: HEARTBEAT_MS — when set, a `: hb` comment every that many ms (what
 * production SSE servers send to keep proxies from closing idle streams).
 * Commands: `change` {seq}; `bytes` → socket totals; `clients` → open streams.
 */
import { createServer, type ServerResponse } from 'node:http'
import { benchItem } from '../lib/change-data.js'
import { serveOverIpc } from '../lib/server-process.js'
import { countSocketBytes } from '../lib/socket-bytes.js'

const heartbeatMs = Number(process.env.HEARTBEAT_MS ?? 0)
const streams = new Set<ServerResponse>()

const http = createServer((req, res) => {
  if (req.method !== 'GET' || req.url !== '/events') return res.writeHead(404).end()
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
  res.flushHeaders()
  streams.add(res)
  const heartbeat = heartbeatMs > 0 ? setInterval(() => res.write(': hb\n\n'), heartbeatMs) : undefined
  res.on('close', () => {
    clearInterval(heartbeat)
    streams.delete(res)
  })
})
const bytes = countSocketBytes(http)

http.listen(0, '127.0.0.1', () => {
  serveOverIpc((http.address() as { port: number }).port, {
    change(arg) {
      const event = `data: ${JSON.stringify(benchItem((arg as { seq: number }).seq))}\n\n`
      for (const stream of streams) stream.write(event)
    },
    bytes: () => bytes.totals(),
    clients: () => streams.size,
  })
})
