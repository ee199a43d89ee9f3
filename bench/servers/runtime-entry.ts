/**
 * One HTTP server for Node, Bun and Deno, bundled by esbuild so no runtime
 * resolves TypeScript. MODE=reality serves the Reality handler; MODE=bare
 * serves a handler that reads the body and returns the same bytes Reality
 * answers when nothing changed (the baseline: what the runtime costs alone).
 * Prints `listening <port>` once it accepts connections.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createRealityServer } from '../../server/index.js'
import { toNodeHandler } from '../../server/node.js'

declare const Bun: { serve(options: { hostname: string; port: number; fetch: (r: Request) => Response | Promise<Response> }): { port: number } } | undefined
declare const Deno:
  | { env: { get(name: string): string | undefined }; serve(options: { hostname: string; port: number; onListen(addr: { port: number }): void }, handler: (r: Request) => Response | Promise<Response>): unknown }
  | undefined

const env = (name: string) => (typeof Deno !== 'undefined' ? Deno.env.get(name) : process.env[name])
const mode = env('MODE')
if (mode !== 'reality' && mode !== 'bare') throw new Error(`MODE must be "reality" or "bare", got ${mode}`)

/** Reality's answer when nothing changed, byte for byte. */
const UNCHANGED = '{"v":1,"changed":{}}'
const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }

const bare = async (request: Request) => {
  await request.text()
  return new Response(UNCHANGED, { headers: HEADERS })
}
const handler = mode === 'reality' ? createRealityServer().handler : bare
const announce = (port: number) => console.log(`listening ${port}`)

if (typeof Bun !== 'undefined') {
  announce(Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handler }).port)
} else if (typeof Deno !== 'undefined') {
  Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => announce(port) }, handler)
} else {
  const bareNode = (req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    req.on('end', () => res.writeHead(200, HEADERS).end(UNCHANGED))
  }
  const server = createServer(mode === 'reality' ? toNodeHandler(handler) : bareNode)
  server.listen(0, '127.0.0.1', () => announce((server.address() as { port: number }).port))
}
