import { ProtocolError } from '../protocol/error.js'
import { BODY_TIMEOUT_MS } from '../protocol/limits.js'
import { requestTimeoutError } from './responses.js'

const MEDIA_TYPE = 'application/json'

/**
 * Checks `Content-Type`: `application/json`, optionally with
 * `charset=utf-8` (the only charset the body is decoded with). Returns the
 * error to answer with, or `undefined`.
 *
 * @example
 * contentTypeProblem('application/json; charset=utf-8') // undefined
 * contentTypeProblem('text/plain')?.status // 415
 */
export function contentTypeProblem(header: string | null): ProtocolError | undefined {
  const refuse = (why: string) => new ProtocolError(415, 'unsupported_media_type', `${why} Send the body as Content-Type: application/json.`)
  if (header === MEDIA_TYPE) return undefined // the common case, without splitting
  if (header === null) return refuse('The request has no Content-Type.')
  const [type, ...parameters] = header.split(';')
  if (type!.trim().toLowerCase() !== MEDIA_TYPE) return refuse(`Content-Type ${JSON.stringify(header.slice(0, 100))} is not accepted.`)
  for (const parameter of parameters) {
    const equals = parameter.indexOf('=')
    const name = parameter.slice(0, equals === -1 ? undefined : equals).trim().toLowerCase()
    if (name !== 'charset') continue
    const value = parameter.slice(equals + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase()
    if (value !== 'utf-8' && value !== 'utf8') return refuse(`The charset ${JSON.stringify(value.slice(0, 40))} is not accepted; bodies are UTF-8.`)
  }
  return undefined
}

/**
 * The 413 for a body over `maxBytes`.
 *
 * @example
 * tooLarge(65536).status // 413
 */
export function tooLarge(maxBytes: number): ProtocolError {
  return new ProtocolError(413, 'payload_too_large', `Sync bodies are limited to ${maxBytes} bytes. Watch fewer keys per request or raise limits.maxBodyBytes.`)
}

/**
 * Reads the body as UTF-8 text, refusing more than `maxBytes`: first by the
 * declared `Content-Length` (nothing is read), then while streaming (a
 * chunked body with no length is cut off as soon as it passes the cap).
 * A body still incomplete after `timeoutMs` gets the 408 and is not read
 * further (a slow client must not keep the request for Node's 300 s).
 * Returns the text or the error to answer with.
 *
 * @example
 * const text = await readBody(request, 65536, 10_000) // string | ProtocolError
 */
export async function readBody(request: Request, maxBytes: number, timeoutMs = BODY_TIMEOUT_MS): Promise<string | ProtocolError> {
  const declared = declaredLengthProblem(request.headers.get('content-length'), maxBytes)
  if (declared) return declared
  const body = request.body
  if (body === null) return ''
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    reader.cancel().catch(() => {}) // the pending read() resolves as done
  }, timeoutMs)
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (timedOut) return requestTimeoutError(timeoutMs)
      if (done) break
      total += value.byteLength
      if (total > maxBytes) {
        // Stop reading: the rest of the body is never buffered.
        reader.cancel().catch(() => {})
        return tooLarge(maxBytes)
      }
      chunks.push(value)
    }
  } catch {
    return timedOut ? requestTimeoutError(timeoutMs) : unreadable()
  } finally {
    clearTimeout(timer)
    reader.releaseLock()
  }
  return decodeBody(chunks.length === 1 ? chunks[0]! : concat(chunks, total))
}

/**
 * The 400 for a body that broke off (the client went away mid-body).
 *
 * @example
 * unreadable().code // 'invalid_request'
 */
export function unreadable(): ProtocolError {
  return new ProtocolError(400, 'invalid_request', 'The request body could not be read completely.')
}

/**
 * Checks a declared `Content-Length` before anything is read: malformed → 400,
 * above `maxBytes` → 413, else `undefined`.
 *
 * @example
 * declaredLengthProblem('70000', 65536)?.status // 413
 */
export function declaredLengthProblem(declared: string | null | undefined, maxBytes: number): ProtocolError | undefined {
  if (declared === null || declared === undefined) return undefined
  if (!/^\s*\d+\s*$/.test(declared)) return new ProtocolError(400, 'invalid_request', 'Content-Length must be a whole number of bytes.')
  if (Number(declared) > maxBytes) return tooLarge(maxBytes)
  return undefined
}

// `fatal`: invalid UTF-8 is refused, never replaced by U+FFFD and parsed anyway.
const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Strict UTF-8 decoding (a leading BOM is dropped), or the 400 to answer.
 *
 * @example
 * decodeBody(new Uint8Array([0xff])) // ProtocolError 400 invalid_json
 */
export function decodeBody(bytes: Uint8Array): string | ProtocolError {
  try {
    return decoder.decode(bytes)
  } catch {
    return new ProtocolError(400, 'invalid_json', 'The body is not valid UTF-8 text.')
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}
