/**
 * What the example servers that are not the chat demo (micro-frontends, SSR)
 * share: listening on a port and host, the URL to print, closing without
 * waiting for held long-polls, and sending a whole body.
 */
import type { Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ProtocolError } from 'reality/protocol'
import type { RealityServer } from 'reality/server'
import { sendError } from './chat/http-json.js'

/**
 * Listens on `port` and `host` (failing with the listen error, e.g.
 * EADDRINUSE, after closing `reality`), and returns the URL and a `close()`
 * that answers held long-polls at once, then drops idle connections.
 *
 * @example
 * const { url, close } = await listenExample(server, reality, { port: 0, host: '127.0.0.1' })
 */
export async function listenExample(server: Server, reality: RealityServer, address: { port: number; host: string }): Promise<{ url: string; close(): Promise<void> }> {
  const { url } = await listenOn(server, reality, address)
  return {
    url,
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      // Held long-polls would keep server.close() waiting: answer them now.
      await reality.close()
      server.closeAllConnections()
      await stopped
    },
  }
}

/**
 * Listens on `port` and `host`; on a listen error (EADDRINUSE…) closes
 * `reality` and rethrows it. Resolves with the port bound and the URL to print.
 *
 * @example
 * const { url, port } = await listenOn(server, reality, { port: 0, host: '::1' }) // url: 'http://[::1]:41234/'
 */
export async function listenOn(server: Server, reality: RealityServer, { port, host }: { port: number; host: string }): Promise<{ url: string; port: number }> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    await reality.close()
    throw error
  }
  const bound = (server.address() as AddressInfo).port
  const hostInUrl = host.includes(':') ? `[${host}]` : host
  return { url: `http://${hostInUrl}:${bound}/`, port: bound }
}

/**
 * Sends a whole body with its type and length (never cached: the examples' pages change).
 *
 * @example
 * sendBody(res, 'text/html; charset=utf-8', html)
 */
export function sendBody(res: ServerResponse, contentType: string, body: string | Buffer): void {
  res.writeHead(200, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-cache' })
  res.end(body)
}

/**
 * Answers a route's failure: a `ProtocolError` as its 4xx, anything else as
 * a generic 500 (its text printed on the server, never sent), or a cut
 * connection when the answer had started.
 *
 * @example
 * route().catch((error) => answerFailure(res, error, `GET ${path}`))
 */
export function answerFailure(res: ServerResponse, error: unknown, what: string): void {
  if (error instanceof ProtocolError) return sendError(res, error)
  console.error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`)
  if (!res.headersSent) sendError(res, new ProtocolError(500, 'internal', 'Internal server error.'))
  else res.destroy()
}
