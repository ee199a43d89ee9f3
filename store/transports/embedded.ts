import type { Transport } from '../types.js'
import { httpTransport } from './http.js'

/** Anything with a fetch-style handler, such as `createRealityServer()` from `reality/server`. */
export interface EmbeddedServer {
  handler(request: Request): Promise<Response>
}

/**
 * Talks to a Reality server in the same process, without HTTP: SSR, tests,
 * a worker that hosts both. Requests still go through the server's handler
 * (parsing, limits, authorize), and aborting works as over the network.
 *
 * @example
 * const server = createRealityServer()
 * const store = createStore({ transport: embeddedTransport(server) })
 */
export function embeddedTransport(server: EmbeddedServer): Transport {
  return httpTransport({
    endpoint: 'http://embedded/',
    fetch: (url, init) => server.handler(new Request(url, init)),
  })
}
