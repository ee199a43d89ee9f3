/**
 * Reading and writing JSON over node:http for the demo's own routes, with
 * the same error body as the sync protocol: `{ error: { code, message } }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { ProtocolError } from 'reality/protocol'

/**
 * The largest JSON body the demo's API reads (a 500-character message
 * needs at most ~6 KB, even with every character escaped).
 *
 * @example
 * await readJsonBody(req, MAX_API_BODY_BYTES)
 */
export const MAX_API_BODY_BYTES = 8 * 1024

/**
 * Sends `body` as JSON. API answers are never cached: the point of the demo
 * is that they change.
 *
 * @example
 * sendJson(res, 200, [{ id: 1, text: 'hi', at: 0 }])
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  })
  res.end(text)
}

/**
 * Sends a {@link ProtocolError} as `{ error: { code, message, issues? } }`.
 * A 413 also closes the connection, because the rest of the oversized body
 * was never read and must not be taken for the next request.
 *
 * @example
 * sendError(res, new ProtocolError(404, 'not_found', 'No route for GET /nope.'))
 */
export function sendError(res: ServerResponse, error: ProtocolError, headers: Record<string, string> = {}): void {
  const extra = error.status === 413 ? { connection: 'close', ...headers } : headers
  sendJson(res, error.status, error.toBody(), extra)
}

/**
 * A 405 naming the methods the route does accept; send it with an `Allow`
 * header listing the same methods.
 *
 * @example
 * sendError(res, methodNotAllowed('DELETE', '/api/messages', ['GET', 'POST']), { allow: 'GET, POST' })
 */
export function methodNotAllowed(method: string, path: string, allowed: readonly string[]): ProtocolError {
  return new ProtocolError(405, 'method_not_allowed', `${method} is not allowed on ${path}; use ${allowed.join(' or ')}.`)
}

/**
 * Reads and parses a JSON request body. Refuses anything that is not
 * `application/json` (415), larger than `maxBytes` (413, checked against
 * `Content-Length` first and then while streaming, since the header may be
 * absent or lie), not UTF-8 or not JSON (400).
 *
 * @example
 * const body = await readJsonBody(req) // unknown: validate it next
 */
export async function readJsonBody(req: IncomingMessage, maxBytes = MAX_API_BODY_BYTES): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json') {
    req.resume()
    throw new ProtocolError(415, 'unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.')
  }
  const tooLarge = () => new ProtocolError(413, 'payload_too_large', `Bodies are limited to ${maxBytes} bytes.`)
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume()
    throw tooLarge()
  }

  const body = await collectBody(req, maxBytes)
  if (body === undefined) throw tooLarge()

  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body)
  } catch {
    throw new ProtocolError(400, 'invalid_json', 'The body is not valid UTF-8.')
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new ProtocolError(400, 'invalid_json', `The body is not valid JSON: ${(error as Error).message}`)
  }
}

/**
 * The body's bytes, or `undefined` once it passes `maxBytes`. Plain
 * listeners rather than `for await`: leaving an async iterator early
 * destroys the socket, and the client would see a reset instead of our 413.
 * Past the limit the rest is drained unbuffered.
 */
function collectBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBytes) {
        chunks.push(chunk)
        return
      }
      cleanup()
      chunks.length = 0
      req.resume()
      resolve(undefined)
    }
    const onEnd = () => {
      cleanup()
      resolve(Buffer.concat(chunks))
    }
    const onError = (error: Error) => {
      cleanup()
      reject(error)
    }
    const cleanup = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}
