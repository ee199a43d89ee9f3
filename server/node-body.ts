import type { IncomingMessage } from 'node:http'
import type { ProtocolError } from '../protocol/error.js'
import { BODY_TIMEOUT_MS } from '../protocol/limits.js'
import { declaredLengthProblem, decodeBody, tooLarge } from './read-body.js'
import { requestTimeoutError } from './responses.js'

/**
 * What a body parser that ran before us (express.json(), express.raw(),
 * express.text()…) left in `req.body`, as text or bytes; `undefined` when
 * the stream was not consumed and must be read.
 *
 * @example
 * consumedBody(req) // '{"v":1,…}' after express.json(), undefined before any parser
 */
export function consumedBody(req: IncomingMessage): string | Uint8Array | undefined {
  const body = (req as { body?: unknown }).body
  if (body === undefined || !req.readableEnded) return undefined
  if (typeof body === 'string' || body instanceof Uint8Array) return body
  // express.json() parsed it: serialize again. JSON.parse already merged any
  // duplicate keys, so that check cannot apply to pre-parsed bodies.
  return JSON.stringify(body) ?? ''
}

/**
 * Reads a Node request body as UTF-8 text with the same rules as the fetch
 * path: `Content-Length` checked first, then a running cap while reading
 * (past it, we stop buffering and let Node discard the rest).
 *
 * @example
 * const text = await readNodeBody(req, 65536) // string | ProtocolError
 * // `contentLength` defaults to req.headers['content-length'].
 */
export function readNodeBody(
  req: IncomingMessage,
  maxBytes: number,
  contentLength: string | null | undefined = req.headers['content-length'],
  timeoutMs = BODY_TIMEOUT_MS,
): Promise<string | ProtocolError> {
  const consumed = consumedBody(req)
  if (consumed !== undefined) {
    const bytes = typeof consumed === 'string' ? Buffer.from(consumed) : consumed
    return Promise.resolve(bytes.byteLength > maxBytes ? tooLarge(maxBytes) : decodeBody(bytes))
  }
  const declared = declaredLengthProblem(contentLength, maxBytes)
  if (declared) return Promise.resolve(declared)
  // Already read by someone who kept nothing: there is no body left to read.
  if (req.readableEnded) return Promise.resolve('')
  // If the client goes away mid-body, 'end' never comes: the deadline ends
  // the wait (and a slow client gets a 408 instead of holding the request
  // for Node's 300 s). Listeners are removed once settled, so a held
  // request keeps no chunk of its body.
  return new Promise((resolve) => {
    let chunks: Buffer[] = []
    let total = 0
    const settle = (result: string | ProtocolError) => {
      clearTimeout(timer)
      req.off('data', onData)
      req.off('end', onEnd)
      chunks = []
      resolve(result)
    }
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength
      if (total > maxBytes) {
        // The rest flows on and is dropped; the answer says Connection: close.
        settle(tooLarge(maxBytes))
        req.resume()
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => settle(decodeBody(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total)))
    const timer = setTimeout(() => {
      settle(requestTimeoutError(timeoutMs))
      req.resume() // whatever still comes is discarded; the answer says Connection: close
    }, timeoutMs)
    req.on('data', onData)
    req.on('end', onEnd)
  })
}
