import { ProtocolError } from '../protocol/error.js'
import type { ErrorCode } from '../protocol/types.js'

/**
 * Every answer is JSON and must never be stored by a browser, proxy or CDN:
 * a cached "nothing changed" would hide every later change.
 */
const BASE_HEADERS: Record<string, string> = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
}

/** How long a client should wait before retrying after a 503, in seconds. */
export const RETRY_AFTER_SECONDS = 5

/** A JSON response with the house headers plus `extra`. */
export function jsonResponse(status: number, body: string, extra?: Headers): Response {
  const headers = new Headers(BASE_HEADERS)
  if (extra) for (const [name, value] of extra) headers.set(name, value)
  return new Response(body, { status, headers })
}

/** The `{ error: { code, message, issues? } }` response of a {@link ProtocolError}. */
export function errorResponse(error: ProtocolError, extra?: Headers): Response {
  return jsonResponse(error.status, JSON.stringify(error.toBody()), extra)
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
