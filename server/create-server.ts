import type { ProtocolError } from '../protocol/error.js'
import type { Limits } from '../protocol/limits.js'
import { parseSyncRequest } from '../protocol/parse.js'
import { answerSync, StoreUnavailableError } from './answer.js'
import { RealityAuthError, splitAllowed, type Authorize } from './auth.js'
import { createCorsPolicy, type CorsOptions } from './cors.js'
import type { HoldCounters } from './hold.js'
import { resolveLimits } from './options.js'
import { contentTypeProblem, readBody } from './read-body.js'
import { errorResponse, internalError, jsonResponse, protocolError, RETRY_AFTER_SECONDS, unavailableError } from './responses.js'
import type { VersionStore } from './version-store.js'
import { memoryVersions } from './versions/memory.js'
import { WaiterRegistry } from './waiters.js'
import { createWriter, type InvalidateOptions } from './writes.js'

/** Options of {@link createRealityServer}. */
export interface RealityServerOptions {
  /** Where versions live. Defaults to {@link memoryVersions} (one process). */
  versions?: VersionStore
  /** Which requested keys a request may watch; see {@link Authorize}. Defaults to allowing all. */
  authorize?: Authorize
  /** Overrides of the protocol limits (body size, keys, key length, wait, payload size). */
  limits?: Partial<Limits>
  /** Cross-origin access; omit for same-origin only. */
  cors?: CorsOptions
  /** Longest long-poll in ms (requests asking more are clamped); `0` disables holding. Default 30,000. */
  maxWait?: number
  /**
   * Receives internal errors (a throwing `authorize`, a failing version store)
   * that clients only see as a generic 500/503. Defaults to `console.error`.
   */
  onError?: (error: unknown, request?: Request) => void
}

/** Diagnostics of a server: live resources of held requests. All 0 when idle. */
export interface RealityServerStats extends HoldCounters {
  /** Held requests registered as waiters (those watching at least one key). */
  waiters: number
  /** Distinct keys watched by held requests. */
  watchedKeys: number
  /** Version store subscriptions held by this server (0 or 1). */
  subscriptions: number
}

/** A Reality sync server; see {@link createRealityServer}. */
export interface RealityServer {
  /** Answers a sync request (any path: mount it where the client's `endpoint` points). */
  handler: (request: Request) => Promise<Response>
  /** Gives `keys` new versions and wakes every held request watching them. */
  invalidate: (keys: string | readonly string[], options?: InvalidateOptions) => Promise<Record<string, number>>
  /** Current versions of `keys` (`0` for never written). */
  getVersions: (keys: string | readonly string[]) => Promise<Record<string, number>>
  /** Diagnostics: held requests, timers, listeners and subscriptions alive now. */
  stats: () => RealityServerStats
  /**
   * Ends every held request with an empty 200 (clients re-poll, typically on
   * another instance), answers later requests 503, and closes the version
   * store if the server created it.
   */
  close: () => Promise<void>
  /** The resolved limits. */
  readonly limits: Readonly<Limits>
}

/**
 * Creates the stateless sync handler (`Request → Response`) with its
 * invalidation API. The handler answers whatever route it is mounted on;
 * it accepts `POST` (and `OPTIONS` when `cors` is set).
 *
 * @example
 * const server = createRealityServer({
 *   authorize: (request, keys) => keys.filter((key) => !key.startsWith('admin:')),
 *   cors: { origins: ['https://app.example.com'] },
 * })
 * // Bun/Deno/workers: export default { fetch: server.handler }
 * // Node: http.createServer(toNodeHandler(server.handler))
 * await server.invalidate(['chat:room:general'])
 */
export function createRealityServer(options: RealityServerOptions = {}): RealityServer {
  const limits = resolveLimits(options.limits, options.maxWait)
  const ownsStore = options.versions === undefined
  const store = options.versions ?? memoryVersions()
  const authorize = options.authorize
  const onError = options.onError ?? ((error: unknown) => console.error('[reality] internal error', error))
  const cors = options.cors ? createCorsPolicy(options.cors, errorResponse) : undefined
  const allow = cors ? 'POST, OPTIONS' : 'POST'
  const registry = new WaiterRegistry(store)
  const counters: HoldCounters = { held: 0, timers: 0, abortListeners: 0 }
  const closing = new AbortController()
  const context = { store, registry, counters, closing: closing.signal }
  const writer = createWriter(store, limits)

  function report(error: unknown, request?: Request) {
    try {
      onError(error, request)
    } catch {}
  }

  async function handle(request: Request, corsHeaders: Headers | undefined): Promise<Response> {
    const fail = (error: ProtocolError, extra?: Record<string, string>) => {
      const headers = new Headers(corsHeaders)
      for (const [name, value] of Object.entries(extra ?? {})) headers.set(name, value)
      return errorResponse(error, headers)
    }
    if (request.method !== 'POST') {
      return fail(protocolError(405, 'method_not_allowed', `The sync endpoint accepts ${allow}; got ${request.method}.`), { allow })
    }
    if (closing.signal.aborted) return fail(unavailableError(), { 'retry-after': String(RETRY_AFTER_SECONDS) })
    const mediaProblem = contentTypeProblem(request.headers.get('content-type'))
    if (mediaProblem) return fail(mediaProblem)
    const text = await readBody(request, limits.maxBodyBytes)
    if (typeof text !== 'string') return fail(text)
    const parsed = parseSyncRequest(text, limits)
    if (!parsed.ok) return fail(parsed.error)

    const keys = Object.keys(parsed.request.known)
    let allowed = keys
    let denied: string[] = []
    if (authorize) {
      try {
        ;({ allowed, denied } = splitAllowed(keys, await authorize(request, keys)))
      } catch (error) {
        if (error instanceof RealityAuthError) {
          return fail(protocolError(error.status, error.status === 401 ? 'unauthorized' : 'forbidden', error.message), error.headers)
        }
        report(error, request)
        return fail(internalError())
      }
    }
    const waitMs = Math.min(parsed.request.wait ?? 0, limits.maxWait)
    try {
      const body = await answerSync(context, parsed.request, allowed, denied, waitMs, request.signal)
      return jsonResponse(200, JSON.stringify(body), corsHeaders)
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error
      report(error.cause, request)
      return fail(unavailableError(), { 'retry-after': String(RETRY_AFTER_SECONDS) })
    }
  }

  return {
    limits,
    async handler(request) {
      let corsHeaders: Headers | undefined
      try {
        corsHeaders = cors?.responseHeaders(request)
        if (cors && request.method === 'OPTIONS') return cors.preflight(request)
        return await handle(request, corsHeaders)
      } catch (error) {
        report(error, request)
        return errorResponse(internalError(), new Headers(corsHeaders))
      }
    },
    invalidate: (keys, invalidateOptions) => {
      if (closing.signal.aborted) return Promise.reject(new Error('This Reality server is closed.'))
      return writer.invalidate(keys, invalidateOptions)
    },
    getVersions: (keys) => {
      if (closing.signal.aborted) return Promise.reject(new Error('This Reality server is closed.'))
      return writer.getVersions(keys)
    },
    stats: () => ({ ...counters, ...registry.stats() }),
    async close() {
      if (closing.signal.aborted) return
      closing.abort()
      if (ownsStore) await store.close?.()
    },
  }
}
