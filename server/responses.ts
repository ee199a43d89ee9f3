import { ProtocolError } from '../protocol/error.js'
import type { ErrorCode } from '../protocol/types.js'

/**
 * An answer before it becomes a `Response` (fetch runtimes) or is written
 * straight to a Node `ServerResponse` (the Node adapter's fast path).
 * Header names are lower case.
 */
export interface SyncOutput {
  status: number
  headers: Record<string, string>
  body: string | null
}

/**
 * Every answer is JSON and must never be stored by a browser, proxy or CDN:
 * a cached "nothing changed" would hide every later change.
 */
const CONTENT_TYPE = 'application/json; charset=utf-8'

/** How long a client should wait before retrying after a 503, in seconds. */
export const RETRY_AFTER_SECONDS = 5

/** A JSON answer with the house headers plus `extra`. */
export function jsonOutput(status: number, body: string, extra?: Record<string, string>): SyncOutput {
  return { status, headers: { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store', ...extra }, body }
}

/** The `{ error: { code, message, issues? } }` answer of a {@link ProtocolError}. */
export function errorOutput(error: ProtocolError, extra?: Record<string, string>): SyncOutput {
  return jsonOutput(error.status, JSON.stringify(error.toBody()), extra)
}

/** Converts an output to a fetch `Response`. */
export function toResponse(output: SyncOutput): Response {
  return new Response(output.body, { status: output.status, headers: output.headers })
}

/** Shorthand for a new {@link ProtocolError}. */
export function protocolError(status: number, code: ErrorCode, message: string): ProtocolError {
  return new ProtocolError(status, code, message)
}

/** The generic 500: never the thrown text, never a stack. */
export function internalError(): ProtocolError {
  return protocolError(500, 'internal', 'The server failed to answer this request. The error was logged on the server.')
}

/** The 503 for a version store that failed; pair it with `Retry-After`. */
export function unavailableError(): ProtocolError {
  return protocolError(503, 'unavailable', `The version store is unavailable. Retry after ${RETRY_AFTER_SECONDS} seconds.`)
}
