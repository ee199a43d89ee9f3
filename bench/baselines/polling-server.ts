/**
 * Baseline: a plain REST endpoint clients poll. `GET /data` answers the full
 * JSON snapshot with an `ETag`; a request whose `If-None-Match` matches gets
 * `304 Not Modified` with no body (what ETag polling relies on).
 *
 * Env: SNAPSHOT_BYTES (size of the JSON body, default 2048).
 * Commands: `bytes` → socket totals; `requests` → count.
 */
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import { roomSnapshot } from '../lib/change-data.js'
import { serveOverIpc } from '../lib/server-process.js'
import { countSocketBytes } from '../lib/socket-bytes.js'

const body = JSON.stringify(roomSnapshot(Number(process.env.SNAPSHOT_BYTES ?? 2048)))
const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"`
let requests = 0

const http = createServer((req, res) => {
  if (req.method !== 'GET' || req.url !== '/data') return res.writeHead(404).end()
  requests++
  if (req.headers['if-none-match'] === etag) return res.writeHead(304, { etag }).end()
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), etag })
  res.end(body)
})
http.keepAliveTimeout = 120_000
const bytes = countSocketBytes(http)

http.listen(0, '127.0.0.1', () => {
  serveOverIpc((http.address() as { port: number }).port, {
    bytes: () => bytes.totals(),
    requests: () => requests,
  })
})
