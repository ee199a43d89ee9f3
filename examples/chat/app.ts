/**
 * The chat demo's HTTP server: the Reality sync endpoint, a tiny messages
 * API, and the page (built in memory, or a built framework app from
 * `staticDir`). Everything is in memory; nothing else to install or start.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { ProtocolError } from 'reality/protocol'
import { createRealityServer, idempotentWrites, memoryVersions, type RealityServer, type VersionStore } from 'reality/server'
import { toNodeHandler } from 'reality/server/node'
import { MESSAGES_PATH, MessageLog, ROOM_KEY, checkMessageText, type ChatMessage } from './messages.js'
import { MAX_API_BODY_BYTES, methodNotAllowed, readJsonBody, sendError, sendJson } from './http-json.js'
import { buildChatPage, type ChatPage } from './page-bundle.js'
import { openStaticFiles, type StaticFile, type StaticFiles } from './static-files.js'
import { listenOn } from '../listen.js'

export { MESSAGES_PATH, ROOM_KEY, type ChatMessage } from './messages.js'

/**
 * Where the store syncs; the page relies on the default endpoint.
 *
 * @example
 * createStore({ endpoint: SYNC_PATH })
 */
export const SYNC_PATH = '/reality/sync'

/**
 * Options of {@link startDemoServer}.
 *
 * @example
 * const options: DemoServerOptions = { port: 0, staticDir: 'examples/react/dist', log: console.log }
 */
export interface DemoServerOptions {
  /** TCP port; `0` picks a free one. Default 3000. */
  port?: number
  /** Interface to listen on. Default `127.0.0.1` (not reachable from other machines). */
  host?: string
  /** Serve this directory (a built Vite app) instead of the built-in page. */
  staticDir?: string
  /** Receives one line per finished request (sync requests only when they fail). */
  log?: (line: string) => void
  /** How many messages the room keeps (the default in-memory store only). Default 200. */
  maxMessages?: number
  /** Where the messages live. Default: in memory ({@link MessageLog}). */
  messages?: ChatMessageStore
  /** Where versions live. Default: {@link memoryVersions}. A store you pass stays yours to close. */
  versions?: VersionStore
}

/**
 * Where the room's messages live, e.g. a Postgres table (examples/postgres-chat).
 *
 * @example
 * const store: ChatMessageStore = { list: async () => rows, add: async (text) => insert(text), bumpsRoomKey: true }
 */
export interface ChatMessageStore {
  /** The room's messages, oldest first. */
  list(): ChatMessage[] | Promise<ChatMessage[]>
  /** Stores a message whose text passed {@link checkMessageText}. */
  add(text: string): ChatMessage | Promise<ChatMessage>
  /** True when a write bumps ROOM_KEY by itself (a database trigger): the server then does not invalidate. */
  readonly bumpsRoomKey?: boolean
}

/**
 * A running demo server.
 *
 * @example
 * const { url, reality, close } = await startDemoServer({ port: 0 })
 * await reality.invalidate(['chat:room:general']) // every open page refetches
 */
export interface DemoServer {
  /** Base URL, e.g. `http://127.0.0.1:3000/`. */
  url: string
  port: number
  /** The Reality sync server behind `/reality/sync` (e.g. `reality.invalidate(keys)`, `reality.stats()`). */
  reality: RealityServer
  /** The underlying node:http server (e.g. to count open connections). */
  httpServer: Server
  /** Stops listening, answers held long-polls (empty 200), closes the versions and every connection. */
  close(): Promise<void>
}

/**
 * Starts the chat demo.
 *
 * @example
 * const demo = await startDemoServer({ port: 0 })
 * await fetch(new URL('/api/messages', demo.url)) // 200 []
 * await demo.close()
 */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const { port = 3000, host = '127.0.0.1', log } = options
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be an integer from 0 to 65535, got ${String(port)}.`)
  const messages: ChatMessageStore = options.messages ?? new MessageLog(options.maxMessages === undefined ? {} : { maxMessages: options.maxMessages })
  const findPageFile = options.staticDir === undefined ? builtInPage(await buildChatPage()) : staticFinder(await openStaticFiles(options.staticDir))
  const reality = createRealityServer({ versions: options.versions ?? memoryVersions() })
  const sync = toNodeHandler(reality.handler)
  // A send replayed after a lost response (reality/offline) carries the same key: applied once.
  const writes = idempotentWrites()

  const routeApi = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method === 'GET') return sendJson(res, 200, await messages.list())
    if (req.method !== 'POST') return sendError(res, methodNotAllowed(req.method ?? '?', MESSAGES_PATH, ['GET', 'POST']), { allow: 'GET, POST' })
    const text = parsePostBody(await readJsonBody(req, MAX_API_BODY_BYTES))
    const key = req.headers['idempotency-key']
    const message = await writes.run(Array.isArray(key) ? key[0] : key, async () => {
      // Store first, bump second: any fetch that starts after a client hears
      // of the new version is then sure to see the message (the version fence).
      const stored: ChatMessage = await messages.add(text)
      if (!messages.bumpsRoomKey) await reality.invalidate([ROOM_KEY])
      return stored
    })
    sendJson(res, 201, message)
  }

  const routePage = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, methodNotAllowed(req.method ?? '?', path, ['GET', 'HEAD']), { allow: 'GET, HEAD' })
    const file = await findPageFile(path)
    if (!file) throw new ProtocolError(404, 'not_found', `Nothing at ${path}.`)
    res.writeHead(200, {
      'content-type': file.contentType,
      'content-length': String(file.body.length),
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      ...file.headers,
    })
    res.end(req.method === 'HEAD' ? undefined : file.body)
  }

  // Responses being written, so close() can let them finish before it cuts connections.
  const inFlight = new Set<ServerResponse>()
  const server = createServer((req, res) => {
    inFlight.add(res)
    res.once('close', () => inFlight.delete(res))
    const path = requestPath(req.url)
    if (path === undefined) return sendError(res, new ProtocolError(400, 'invalid_request', 'The request target is not a path.'))
    if (log) res.once('finish', () => {
      if (path !== SYNC_PATH || res.statusCode >= 400) log(`${req.method} ${path} ${res.statusCode}`)
    })
    if (path === SYNC_PATH) return void sync(req, res)
    const route = path === MESSAGES_PATH ? routeApi(req, res) : path.startsWith('/api/') ? Promise.reject(new ProtocolError(404, 'not_found', `No API route ${path}; the demo has ${MESSAGES_PATH}.`)) : routePage(req, res, path)
    route.catch((error: unknown) => {
      if (error instanceof ProtocolError) return sendError(res, error)
      log?.(`${req.method} ${path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      // Internal details stay in the log, never in the answer.
      if (!res.headersSent) sendError(res, new ProtocolError(500, 'internal', 'Internal server error.'))
      else res.destroy()
    })
  })

  const { url, port: actualPort } = await listenOn(server, reality, { port, host })

  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
      // Held long-polls would keep server.close() waiting up to 30 s: the
      // Reality server answers them now (clients re-poll), we let those
      // answers reach the wire, then drop the idle keep-alive connections.
      await reality.close()
      await Promise.all([...inFlight].map((res) => new Promise((resolve) => res.once('close', resolve))))
      server.closeAllConnections()
      await stopped
    })())

  return { url, port: actualPort, reality, httpServer: server, close }
}

/**
 * The path of a request target, or `undefined` when it is not one.
 * Prefixing (not resolving against) a base keeps `//x` a path, not a host.
 */
function requestPath(target: string | undefined): string | undefined {
  if (target === undefined || !target.startsWith('/')) return undefined
  try {
    return new URL(`http://localhost${target}`).pathname
  } catch {
    return undefined
  }
}

/** What `POST /api/messages` accepts: exactly `{ "text": string }`. */
function parsePostBody(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProtocolError(400, 'invalid_request', 'The body must be a JSON object like {"text":"hello"}.')
  }
  const unknownField = Object.keys(body).find((field) => field !== 'text')
  if (unknownField !== undefined) {
    throw new ProtocolError(400, 'invalid_request', `Unknown field ${JSON.stringify(unknownField)}; send only {"text": "..."}.`, [{ path: [unknownField], message: 'Unknown field.' }])
  }
  const checked = checkMessageText((body as { text?: unknown }).text)
  if (!checked.ok) throw new ProtocolError(400, 'invalid_request', checked.reason, [{ path: ['text'], message: checked.reason }])
  return checked.text
}

type PageFile = StaticFile & { headers?: Record<string, string> }

/** The built-in page's three files. Its CSP allows nothing but itself, so even a missed escape could not run script. */
function builtInPage(page: ChatPage): (path: string) => Promise<PageFile | undefined> {
  const csp = "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
  const files = new Map<string, PageFile>([
    ['/', { body: Buffer.from(page.html), contentType: 'text/html; charset=utf-8', headers: { 'content-security-policy': csp } }],
    ['/main.js', { body: Buffer.from(page.script), contentType: 'text/javascript; charset=utf-8' }],
    ['/style.css', { body: Buffer.from(page.css), contentType: 'text/css; charset=utf-8' }],
  ])
  files.set('/index.html', files.get('/')!)
  return async (path) => files.get(path)
}

function staticFinder(files: StaticFiles): (path: string) => Promise<PageFile | undefined> {
  return (path) => files.find(path)
}
