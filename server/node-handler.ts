import type { IncomingMessage, ServerResponse } from 'node:http'
import { consumedBody } from './node-body.js'
import { writeNodeStream, writeWithBackpressure as write } from './node-stream.js'
import { syncCoreOf } from './node-fast-path.js'
import { errorOutput, internalError, type SyncOutput } from './responses.js'
import { clientGone, NodeInput, requestHeaders, requestUrl } from './node-input.js'
import type { SyncCore } from './sync-core.js'

/**
 * A node:http / Express / Connect request handler.
 *
 * @example
 * const sync: NodeHandler = toNodeHandler(server.handler)
 */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void

const BODYLESS = new Set(['GET', 'HEAD'])
const STREAMED = /^\s*(application\/x-ndjson|text\/event-stream)\b/i

/**
 * A web `ReadableStream` over the request. On cancel (the handler refused
 * the body as too large) it stops listening and lets Node discard the rest
 * instead of destroying the socket we still answer on.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let cleanup = () => {}
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const onData = (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
        if ((controller.desiredSize ?? 1) <= 0) req.pause()
      }
      const onEnd = () => {
        cleanup()
        controller.close()
      }
      const onError = (error: unknown) => {
        cleanup()
        controller.error(error)
      }
      const onClose = () => {
        if (!req.readableEnded) onError(new Error('The client went away before sending the whole body.'))
      }
      cleanup = () => {
        req.off('data', onData)
        req.off('end', onEnd)
        req.off('error', onError)
        req.off('close', onClose)
      }
      req.on('data', onData)
      req.on('end', onEnd)
      req.on('error', onError)
      req.on('close', onClose)
    },
    pull() {
      req.resume()
    },
    cancel() {
      cleanup()
      // Node discards what is left; the response says `Connection: close`.
      req.resume()
    },
  })
}

async function writeResponse(response: Response, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.statusCode = response.status
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie') continue
    res.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length) res.setHeader('set-cookie', cookies)
  // Answered before the whole body arrived (413, 415…): don't keep a
  // connection that still carries unread bytes.
  if (!req.complete) res.setHeader('connection', 'close')
  if (!response.body) {
    res.end()
    return
  }
  const reader = response.body.getReader()
  try {
    if (STREAMED.test(response.headers.get('content-type') ?? '')) {
      // A stream (NDJSON, Server-Sent Events): every chunk goes out as it comes.
      res.flushHeaders()
    } else {
      const first = await reader.read()
      if (first.done) return void res.end()
      const second = await reader.read()
      if (second.done) {
        // The usual case (a small JSON answer): one write with a length, no chunked framing.
        res.setHeader('content-length', first.value.byteLength)
        return void res.end(first.value)
      }
      await write(res, first.value)
      await write(res, second.value)
    }
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (res.destroyed) return void (await reader.cancel())
      await write(res, value)
    }
    res.end()
  } finally {
    reader.releaseLock()
  }
}

/**
 * Adapts a fetch-style handler to node:http, Express and Connect. Builds a
 * `Request` (absolute URL from `Host`, or Express's `originalUrl`), aborts
 * `request.signal` when the client disconnects before the answer is sent
 * (so held long-polls are released at once), and writes the `Response`
 * back. If a body parser ran first (`req.body` set and the stream
 * consumed), its result is used (a pre-parsed JSON body is re-serialized,
 * so the duplicate-key check cannot apply to it). Errors the handler throws
 * go to `next` when there is one, otherwise become a generic 500.
 *
 * For a handler made by `createRealityServer`, the same pipeline runs
 * straight on `req`/`res` without building `Request`/`Response` objects
 * (about a third of the CPU per sync request); `authorize` still receives a real
 * `Request` (without body), built only when it is called. Mount it on any
 * route: it does not check the path.
 *
 * @example
 * import http from 'node:http'
 * const reality = createRealityServer()
 * http.createServer(toNodeHandler(reality.handler)).listen(3000)
 * // Express: app.post('/reality/sync', toNodeHandler(reality.handler))
 */
export function toNodeHandler(handler: (request: Request) => Promise<Response>): NodeHandler {
  const core = syncCoreOf(handler)
  if (core) return (req, res, next) => serveCore(core, req, res, next)
  return (req, res, next) => {
    const controller = new AbortController()
    // Node's Request follows `controller.signal` through a weak reference to
    // its own internal controller: if nothing held the Request, a handler
    // keeping only `request.signal` would miss the abort after a GC. The
    // close listener keeps it alive until the response is done.
    let request: Request | undefined
    const onClose = () => {
      if (!res.writableFinished) controller.abort()
      request = undefined
    }
    res.on('close', onClose)
    const run = async () => {
      const method = req.method ?? 'GET'
      const consumed = consumedBody(req)
      const init: RequestInit & { duplex?: 'half' } = {
        method,
        headers: requestHeaders(req, consumed !== undefined),
        signal: controller.signal,
      }
      if (!BODYLESS.has(method)) {
        if (consumed !== undefined) init.body = consumed as BodyInit
        else {
          init.body = bodyStream(req)
          init.duplex = 'half'
        }
      }
      request = new Request(requestUrl(req), init)
      const response = await handler(request)
      if (controller.signal.aborted || res.destroyed) {
        await response.body?.cancel()
        return
      }
      await writeResponse(response, req, res)
    }
    run().catch((error: unknown) => {
      if (next) return next(error)
      if (res.headersSent) return void res.destroy()
      res.statusCode = 500
      res.setHeader('content-type', 'application/json; charset=utf-8')
      res.end(JSON.stringify({ error: { code: 'internal', message: 'The server failed to answer this request.' } }))
    })
  }
}

/**
 * The fast path for `createRealityServer` handlers: the same pipeline fed
 * straight from the `IncomingMessage` and written straight to the
 * `ServerResponse`. A `Request` is built only if `authorize` asks for one,
 * an `AbortController` only if the request is held.
 */
function serveCore(core: SyncCore, req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void {
  core(new NodeInput(req, res)).then(
    (output) => {
      if (!clientGone(req, res)) writeOutput(output, req, res)
      else output.stream?.stop()
    },
    (error: unknown) => {
      // The core never throws; this is a last resort that must not crash the process.
      if (next) return next(error)
      if (!clientGone(req, res) && !res.headersSent) writeOutput(errorOutput(internalError()), req, res)
    },
  )
}


function writeOutput(output: SyncOutput, req: IncomingMessage, res: ServerResponse): void {
  const headers: Record<string, string | number> = output.headers
  if (!req.complete) headers['connection'] = 'close'
  if (output.stream) {
    res.writeHead(output.status, headers)
    return writeNodeStream(output.stream, res)
  }
  if (output.body === null) return void res.writeHead(output.status, headers).end()
  // A string body lets Node send headers and body in one write (a Buffer takes writev).
  headers['content-length'] = Buffer.byteLength(output.body)
  res.writeHead(output.status, headers).end(output.body)
}
