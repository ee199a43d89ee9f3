import { ProtocolError } from '../protocol/error.js'
import { errorOutput, type SyncOutput } from './responses.js'

/**
 * Cross-origin access to the sync endpoint. Without it, only same-origin
 * pages can read the answers (the browser default).
 *
 * @example
 * createRealityServer({ cors: { origins: ['https://app.example.com'], credentials: true, maxAge: 600, headers: ['authorization'] } })
 */
export interface CorsOptions {
  /**
   * Exact origins allowed to call the endpoint (`https://app.example.com`: scheme, host and
   * port, no path, no trailing slash), or a function deciding per origin.
   * `'*'` is refused: the allowed origin is always echoed exactly, so caches
   * keyed on `Vary: Origin` stay correct and credentials can never meet a wildcard.
   * To allow every origin on purpose, pass `() => true`.
   */
  origins: readonly string[] | ((origin: string) => boolean)
  /** Allow cookies / HTTP auth on cross-origin requests (`Access-Control-Allow-Credentials`). */
  credentials?: boolean
  /** How long browsers may cache a preflight answer, in seconds. */
  maxAge?: number
  /** Extra request headers clients may send (e.g. `authorization`). `content-type` is always allowed. */
  headers?: readonly string[]
}

/**
 * What the handler needs from a resolved CORS configuration.
 *
 * @example
 * policy.responseHeaders('https://app.example.com') // { vary: 'Origin', 'access-control-allow-origin': … }
 */
export interface CorsPolicy {
  /** Headers to add to a non-preflight answer for a request with this `Origin` header. */
  responseHeaders(origin: string | null): Record<string, string>
  /** The answer to an `OPTIONS` request with this `Origin` header. */
  preflight(origin: string | null): SyncOutput
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/**
 * Validates `options` once, at server creation, so a typo fails loudly
 * instead of silently blocking every browser.
 *
 * @example
 * const policy = createCorsPolicy({ origins: ['https://app.example.com'] })
 * policy.preflight('https://evil.example.com').status // 403
 */
export function createCorsPolicy(options: CorsOptions): CorsPolicy {
  const isAllowed = originMatcher(options.origins)
  if (options.maxAge !== undefined && !(Number.isInteger(options.maxAge) && options.maxAge >= 0)) {
    throw new TypeError(`cors.maxAge must be a whole number of seconds; got ${String(options.maxAge)}.`)
  }
  const extraHeaders = (options.headers ?? []).map((header) => {
    if (typeof header !== 'string' || !TOKEN.test(header)) throw new TypeError(`cors.headers must list header names; got ${JSON.stringify(header)}.`)
    return header.toLowerCase()
  })
  // last-event-id: an EventSource reconnecting; if-none-match: a GET poller revalidating.
  const allowHeaders = [...new Set(['content-type', 'last-event-id', 'if-none-match', ...extraHeaders])].join(', ')
  const credentials = options.credentials === true

  function allowedOrigin(origin: string | null): string | undefined {
    if (origin === null) return undefined
    try {
      return isAllowed(origin) ? origin : undefined
    } catch {
      return undefined // a throwing predicate allows nothing
    }
  }

  function base(origin: string | undefined): Record<string, string> {
    // Vary on every response: whether headers are added depends on Origin.
    const headers: Record<string, string> = { vary: 'Origin' }
    if (origin !== undefined) {
      headers['access-control-allow-origin'] = origin
      if (credentials) headers['access-control-allow-credentials'] = 'true'
    }
    return headers
  }

  return {
    responseHeaders(requestOrigin) {
      const origin = allowedOrigin(requestOrigin)
      const headers = base(origin)
      // Retry-After is not a CORS-safelisted response header: expose it so
      // browser clients can honour 429/503 back-off hints.
      if (origin !== undefined) headers['access-control-expose-headers'] = 'Retry-After, ETag'
      return headers
    },
    preflight(requestOrigin) {
      if (requestOrigin === null) {
        // Not a preflight: a plain OPTIONS asking what the endpoint supports.
        return { status: 204, headers: { ...base(undefined), allow: 'GET, POST, OPTIONS' }, body: null }
      }
      const origin = allowedOrigin(requestOrigin)
      if (origin === undefined) {
        return errorOutput(new ProtocolError(403, 'forbidden', 'This origin may not call the sync endpoint. Add it to cors.origins on the server.'), base(undefined))
      }
      const headers = base(origin)
      headers['access-control-allow-methods'] = 'GET, POST'
      headers['access-control-allow-headers'] = allowHeaders
      if (options.maxAge !== undefined) headers['access-control-max-age'] = String(options.maxAge)
      return { status: 204, headers, body: null }
    },
  }
}

function originMatcher(origins: CorsOptions['origins']): (origin: string) => boolean {
  if (typeof origins === 'function') return (origin) => origins(origin) === true
  if (!Array.isArray(origins)) throw new TypeError('cors.origins must be an array of origins or a function (origin) => boolean.')
  const allowed = new Set<string>()
  for (const origin of origins) {
    if (origin === '*') {
      throw new TypeError("cors.origins must not contain '*': list exact origins, or pass () => true to allow every origin deliberately.")
    }
    let parsed: URL | undefined
    try {
      parsed = new URL(origin)
    } catch {}
    if (typeof origin !== 'string' || !parsed || parsed.origin !== origin) {
      throw new TypeError(`cors.origins must hold exact origins such as "https://app.example.com" (no path, no trailing slash); got ${JSON.stringify(origin)}.`)
    }
    allowed.add(origin)
  }
  return (origin) => allowed.has(origin)
}
