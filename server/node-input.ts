import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ProtocolError } from '../protocol/error.js'
import { readNodeBody } from './node-body.js'
import type { SyncInput } from './sync-core.js'

/**
 * The request URL: `Host` plus the path (Express's `originalUrl` when mounted).
 *
 * @example
 * requestUrl(req) // 'http://localhost:3000/reality/sync'
 */
export function requestUrl(req: IncomingMessage): string {
  // Express strips the mount path from req.url; originalUrl keeps it.
  const path = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/'
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'
  try {
    return new URL(path, `${scheme}://${req.headers.host ?? 'localhost'}`).href
  } catch {
    // A Host header that is not a host: the handler does not route on it.
    return new URL(path.startsWith('/') ? path : '/', `${scheme}://localhost`).href
  }
}

/**
 * The request headers as fetch `Headers` (HTTP/2 pseudo-headers skipped;
 * length/encoding dropped when the body comes from a body parser).
 *
 * @example
 * requestHeaders(req, false).get('content-type')
 */
export function requestHeaders(req: IncomingMessage, dropLength: boolean): Headers {
  const headers = new Headers()
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    if (name.startsWith(':')) continue // HTTP/2 pseudo-headers
    if (dropLength && (name.toLowerCase() === 'content-length' || name.toLowerCase() === 'transfer-encoding')) continue
    try {
      headers.append(name, raw[i + 1]!)
    } catch {}
  }
  return headers
}

/**
 * An `IncomingMessage` as {@link SyncInput}: one object per request, no closures.
 *
 * @example
 * const output = await core(new NodeInput(req, res))
 */
export class NodeInput implements SyncInput {
  private controller: AbortController | undefined
  private built: Request | undefined
  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {}

  get method(): string {
    return this.req.method ?? 'GET'
  }

  url(): string {
    return this.req.url ?? '/'
  }

  header(name: string): string | null {
    if (name === 'content-type' || name === 'content-length') return firstRawHeader(this.req, name)
    const value = this.req.headers[name]
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
  }

  readText(maxBytes: number, timeoutMs: number): Promise<string | ProtocolError> {
    return readNodeBody(this.req, maxBytes, firstRawHeader(this.req, 'content-length'), timeoutMs)
  }

  /**
   * Only a held request needs to hear about a disconnect, so the 'close'
   * listener is attached when the hold asks for the signal; a client that
   * left before that is seen through `destroyed`.
   */
  signal(): AbortSignal {
    if (!this.controller) {
      const own = (this.controller = new AbortController())
      const res = this.res
      if (clientGone(this.req, res)) own.abort()
      else res.once('close', () => res.writableFinished || own.abort())
    }
    return this.controller.signal
  }

  request(): Request {
    return (this.built ??= new Request(requestUrl(this.req), { method: this.method, headers: requestHeaders(this.req, true), signal: this.signal() }))
  }
}

/**
 * A header Node keeps only the first of (content-type, content-length),
 * read from `rawHeaders`: touching `req.headers` makes Node build the whole
 * headers object, which the hot path otherwise never needs.
 */
function firstRawHeader(req: IncomingMessage, name: string): string | null {
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    const candidate = raw[i]!
    if (candidate.length === name.length && candidate.toLowerCase() === name) return raw[i + 1]!
  }
  return null
}

/**
 * True when the client is gone: nobody is left to answer.
 *
 * @example
 * if (!clientGone(req, res)) res.end(body)
 */
export function clientGone(req: IncomingMessage, res: ServerResponse): boolean {
  return res.destroyed || !req.socket || req.socket.destroyed
}
