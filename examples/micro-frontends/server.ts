/**
 * The micro-frontends server: the host page, the three frontend bundles, a
 * tiny key/value API (`/api/keys/k1`…) and the Reality sync endpoint. It
 * keeps a log of the sync requests and data fetches it answered, so tests
 * (and curious users, at `GET /api/log`) can count them.
 */
import { createServer, type Server, type ServerResponse } from 'node:http'
import { ProtocolError } from 'reality/protocol'
import { createRealityServer, type RealityServer } from 'reality/server'
import { toNodeHandler } from 'reality/server/node'
import { methodNotAllowed, readJsonBody, sendError, sendJson } from '../chat/http-json.js'
import { openStaticFiles } from '../chat/static-files.js'
import { answerFailure, listenExample, sendBody } from '../listen.js'
import { HOST_CSS, HOST_SCRIPT, hostPage, parseScriptLoading } from './host-page.js'
import { BOARD_KEYS, type BoardEntry, type BoardKey } from './keys.js'

/**
 * One request the server answered, in arrival order.
 *
 * @example
 * const entry: RequestLogEntry = { kind: 'sync', at: 12.5, keys: ['k1', 'k2'], wait: 0 }
 */
export type RequestLogEntry =
  | { kind: 'sync'; at: number; keys: string[]; wait: number }
  | { kind: 'fetch'; at: number; key: string }

/**
 * A running micro-frontends server.
 *
 * @example
 * const server = await startMicroFrontendsServer({ port: 0, appsDir })
 * await server.write('k2', 'hello') // every frontend showing k2 refetches it once
 */
export interface MicroFrontendsServer {
  url: string
  reality: RealityServer
  /** The requests answered since start (or since the last `clearLog()`). */
  log(): readonly RequestLogEntry[]
  clearLog(): void
  /** Writes a key as `POST /api/keys/<key>` does. */
  write(key: BoardKey, value: string): Promise<BoardEntry>
  close(): Promise<void>
}

/**
 * Starts the server; `appsDir` holds `apps/<name>.js` (see build.ts).
 *
 * @example
 * const server = await startMicroFrontendsServer({ port: 3005, host: '127.0.0.1', appsDir, frontends: FRONTENDS })
 */
export async function startMicroFrontendsServer(options: { port: number; host?: string; appsDir: string; frontends: readonly string[] }): Promise<MicroFrontendsServer> {
  const { port, host = '127.0.0.1', frontends } = options
  const files = await openStaticFiles(options.appsDir)
  const reality = createRealityServer()
  const board = new Map<BoardKey, BoardEntry>(BOARD_KEYS.map((key) => [key, { key, value: `initial ${key}`, writes: 0 }]))
  const started = performance.now()
  let log: RequestLogEntry[] = []

  const write = async (key: BoardKey, value: string): Promise<BoardEntry> => {
    const entry = { key, value, writes: board.get(key)!.writes + 1 }
    board.set(key, entry)
    // Store first, bump second (ARCHITECTURE.md C2): a fetch that follows the bump sees the write.
    await reality.invalidate([key])
    return entry
  }

  const sync = toNodeHandler(async (request: Request) => {
    const body = (await request.clone().json().catch(() => undefined)) as { known?: Record<string, unknown>; wait?: number } | undefined
    log.push({ kind: 'sync', at: performance.now() - started, keys: Object.keys(body?.known ?? {}).sort(), wait: body?.wait ?? 0 })
    return reality.handler(request)
  })

  const routeKey = async (method: string, key: string, read: () => Promise<unknown>, res: ServerResponse) => {
    if (!board.has(key as BoardKey)) throw new ProtocolError(404, 'not_found', `No key ${key}; the board has ${BOARD_KEYS.join(', ')}.`)
    if (method === 'GET') {
      log.push({ kind: 'fetch', at: performance.now() - started, key })
      return sendJson(res, 200, board.get(key as BoardKey))
    }
    if (method !== 'POST') return sendError(res, methodNotAllowed(method, `/api/keys/${key}`, ['GET', 'POST']), { allow: 'GET, POST' })
    const value = ((await read()) as { value?: unknown } | undefined)?.value
    if (typeof value !== 'string' || value.length === 0 || value.length > 100) {
      throw new ProtocolError(400, 'invalid_request', 'Send {"value": "..."} with 1 to 100 characters.')
    }
    sendJson(res, 200, await write(key as BoardKey, value))
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const method = req.method ?? 'GET'
    const route = async () => {
      if (url.pathname === '/reality/sync') return void sync(req, res)
      const keyPath = /^\/api\/keys\/([^/]+)$/.exec(url.pathname)
      if (keyPath) return routeKey(method, decodeURIComponent(keyPath[1]!), () => readJsonBody(req), res)
      if (url.pathname === '/api/log') return sendJson(res, 200, log)
      if (method !== 'GET') throw new ProtocolError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}; use GET.`)
      if (url.pathname === '/') {
        const loading = parseScriptLoading(url.searchParams.get('scripts'))
        if (!loading) throw new ProtocolError(400, 'invalid_request', 'scripts must be classic, defer or module.')
        return sendBody(res, 'text/html; charset=utf-8', hostPage(loading, frontends))
      }
      if (url.pathname === '/host.js') return sendBody(res, 'text/javascript; charset=utf-8', HOST_SCRIPT)
      if (url.pathname === '/host.css') return sendBody(res, 'text/css; charset=utf-8', HOST_CSS)
      const file = url.pathname.startsWith('/apps/') ? await files.find(url.pathname) : undefined
      if (!file) throw new ProtocolError(404, 'not_found', `Nothing at ${url.pathname}.`)
      sendBody(res, file.contentType, file.body)
    }
    route().catch((error: unknown) => answerFailure(res, error, `${method} ${url.pathname}`))
  })

  const listening = await listenExample(server, reality, { port, host })
  return {
    url: listening.url,
    reality,
    log: () => log,
    clearLog: () => void (log = []),
    write,
    close: listening.close,
  }
}
