/**
 * The server side of `bench/server-throughput.ts`, in its own process so the
 * load generator never shares its event loop. MODE=reality: node:http +
 * toNodeHandler(createRealityServer().handler). MODE=bare: node:http reading
 * the body and returning the bytes Reality answers when nothing changed.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createRealityServer } from '../../server/index.js'
import { toNodeHandler } from '../../server/node.js'
import { serveOverIpc } from './server-process.js'

/** Reality's answer when nothing changed, byte for byte, with the same headers. */
const UNCHANGED = Buffer.from('{"v":1,"changed":{}}')
const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(UNCHANGED.byteLength) }

const mode = process.env.MODE
if (mode !== 'reality' && mode !== 'bare') throw new Error(`MODE must be "reality" or "bare", got ${mode}`)

function bare(req: IncomingMessage, res: ServerResponse) {
  req.resume()
  req.on('end', () => res.writeHead(200, HEADERS).end(UNCHANGED))
}

const reality = createRealityServer()
const server = createServer(mode === 'reality' ? toNodeHandler(reality.handler) : bare)
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  serveOverIpc((server.address() as { port: number }).port, {
    memory: () => process.memoryUsage().rss,
    // CPU time this process spent, in µs: per-request cost that other load on the machine barely skews.
    cpu: () => {
      const usage = process.cpuUsage()
      return usage.user + usage.system
    },
  })
})
