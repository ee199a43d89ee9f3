/**
 * Test support: a real Reality server on 127.0.0.1 (node:http +
 * `toNodeHandler`). Like the demo, where the page and the sync endpoint share
 * one origin, the happy-dom page is moved to the server's origin, so its
 * browser-like `fetch` needs no CORS.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRealityServer, toNodeHandler, type RealityServer } from '../../server/index.js'

/** A loopback Reality server and where the store should sync. */
export interface LoopbackServer {
  reality: RealityServer
  endpoint: string
  close(): Promise<void>
}

/**
 * Starts a server on a free port of 127.0.0.1 and points the page there.
 * @example const server = await startLoopbackServer(); createStore({ endpoint: server.endpoint })
 */
export async function startLoopbackServer(): Promise<LoopbackServer> {
  const reality = createRealityServer()
  const http = createServer(toNodeHandler(reality.handler))
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  ;(globalThis as { happyDOM?: { setURL(url: string): void } }).happyDOM?.setURL(`${origin}/`)
  return {
    reality,
    endpoint: `${origin}/reality/sync`,
    async close() {
      await reality.close()
      http.closeAllConnections()
      await new Promise<void>((resolve, reject) => http.close((error) => (error ? reject(error) : resolve())))
    },
  }
}
