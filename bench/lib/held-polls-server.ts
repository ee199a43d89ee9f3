/**
 * The server side of `bench/held-polls.ts` over loopback HTTP, in its own
 * process (started with --expose-gc) so its heap holds only the server:
 * node:http + toNodeHandler(createRealityServer().handler).
 * Commands: `heap` (settled heapUsed), `stats`, `invalidate` (bumps "hot").
 */
import { createServer } from 'node:http'
import { createRealityServer } from '../../server/index.js'
import { toNodeHandler } from '../../server/node.js'
import { serveOverIpc } from './server-process.js'

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('Start with --expose-gc.')
const reality = createRealityServer({ maxWait: 120_000 })
const server = createServer(toNodeHandler(reality.handler))
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  serveOverIpc((server.address() as { port: number }).port, {
    async heap() {
      for (let i = 0; i < 4; i++) {
        gc!()
        await new Promise((resolve) => setImmediate(resolve))
      }
      return process.memoryUsage().heapUsed
    },
    stats: () => reality.stats(),
    invalidate: async () => (await reality.invalidate('hot')).hot,
  })
})
