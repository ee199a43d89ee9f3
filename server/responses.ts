import { ProtocolError } from '../protocol/error.js'
import type { ErrorCode } from '../protocol/types.js'
import type { StreamBody } from './change-stream.js'
import { toReadableStream } from './stream.js'

/**
 * An answer before it becomes a `Response` (fetch runtimes) or is written
 * straight to a Node `ServerResponse` (the Node adapter's fast path).
 * Header names are lower case.
 *
 * @example
 * const output: SyncOutput = { status: 204, headers: { vary: 'Origin' }, body: null }
 */
export interface SyncOutput {
  status: number
  headers: Record<string, string>
  body: string | null
  /** A streamed body (`body` is then `null`): NDJSON or Server-Sent Events. */
  stream?: StreamBody
}

/**
 * Every answer is JSON and must never be stored by a browser, proxy or CDN:
 * a cached "nothing changed" would hide every later change.
 */
const CONTENT_TYPE = 'application/json; charset=utf-8'

/**
 * How long a client should wait before retrying after a 503, in seconds.
 *
 * @example
 * headers['retry-after'] = String(RETRY_AFTER_SECONDS)
 */
export const RETRY_AFTER_SECONDS = 5

/**
 * A JSON answer with the house headers plus `extra`.
 *
 * @example
 * jsonOutput(200, '{"v":1,"changed":{}}')
 */
export function jsonOutput(status: number, body: string, extra?: Record<string, string>): SyncOutput {
  return { status, headers: { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store', ...extra }, body }
}

/**
 * The `{ error: { code, message, issues? } }` answer of a {@link ProtocolError}.
 *
 * @example
 * errorOutput(unavailableError(), { 'retry-after': '5' }).status // 503
 */
export function errorOutput(error: ProtocolError, extra?: Record<string, string>): SyncOutput {
  return jsonOutput(error.status, JSON.stringify(error.toBody()), extra)
}

/**
 * Converts an output to a fetch `Response`.
 *
 * @example
 * return toResponse(await core(input))
 */
export function toResponse(output: SyncOutput): Response {
  const body = output.stream ? toReadableStream(output.stream) : output.body
  return new Response(body, { status: output.status, headers: output.headers })
}

/**
 * Shorthand for a new {@link ProtocolError}.
 *
 * @example
 * protocolError(405, 'method_not_allowed', 'Use POST.')
 */
export function protocolError(status: number, code: ErrorCode, message: string): ProtocolError {
  return new ProtocolError(status, code, message)
}

/**
 * The generic 500: never the thrown text, never a stack.
 *
 * @example
 * errorOutput(internalError()).status // 500
 */
export function internalError(): ProtocolError {
  return protocolError(500, 'internal', 'The server failed to answer this request. The error was logged on the server.')
}

/**
 * The 503 for a version store that failed; pair it with `Retry-After`.
 *
 * @example
 * errorOutput(unavailableError(), { 'retry-after': '5' })
 */
export function unavailableError(): ProtocolError {
  return protocolError(503, 'unavailable', `The version store is unavailable. Retry after ${RETRY_AFTER_SECONDS} seconds.`)
}

/**
 * The 503 for a server holding `limits.maxHeld` requests already: nothing
 * is held. Pair it with {@link jitteredRetryAfter}.
 *
 * @example
 * errorOutput(overloadedError(), { 'retry-after': jitteredRetryAfter() })
 */
export function overloadedError(): ProtocolError {
  return protocolError(503, 'overloaded', 'This server instance holds as many requests as it may (limits.maxHeld). Retry after the Retry-After delay, or on another instance.')
}

/**
 * A `Retry-After` of 1 to 2 × {@link RETRY_AFTER_SECONDS} seconds, at random:
 * clients refused together come back spread out, not as one new burst.
 *
 * @example
 * jitteredRetryAfter() // '7'
 */
export function jitteredRetryAfter(): string {
  return String(RETRY_AFTER_SECONDS + Math.floor(Math.random() * (RETRY_AFTER_SECONDS + 1)))
}

/**
 * The 408 for a body that did not arrive within `limits.bodyTimeout`.
 *
 * @example
 * errorOutput(requestTimeoutError(10_000)).status // 408
 */
export function requestTimeoutError(timeoutMs: number): ProtocolError {
  return protocolError(408, 'request_timeout', `The request body did not arrive within ${timeoutMs} ms (limits.bodyTimeout). Send the whole body at once.`)
}
