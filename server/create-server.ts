import type { Limits } from '../protocol/limits.js'
import type { Authorize } from './auth.js'
import { createCorsPolicy, type CorsOptions } from './cors.js'
import { DeadlineWheel } from './deadlines.js'
import type { Hold, HoldCounters } from './hold.js'
import { attachSyncCore } from './node-fast-path.js'
import { resolveLimits, resolveStreamTiming } from './options.js'
import { readBody } from './read-body.js'
import { toResponse } from './responses.js'
import { createSyncCore, type SyncInput } from './sync-core.js'
import type { VersionStore } from './version-store.js'
import { memoryVersions } from './versions/memory.js'
import { WaiterRegistry } from './waiters.js'
import { createWriter, type InvalidateOptions } from './writes.js'

/**
 * Options of {@link createRealityServer}.
 *
 * @example
 * const options: RealityServerOptions = { maxWait: 25_000, limits: { maxKeys: 200 }, onError: (error) => log.error(error) }
 */
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
   * Lifetime of a streamed answer (`"stream": true` NDJSON, or Server-Sent
   * Events) in ms; then it ends and the client opens a new one. `0` ends a
   * stream after its first answer. Default 300,000.
   */
  maxStream?: number
  /** A streamed answer writes a line at least this often (ms), for proxies and clients. Default 15,000. */
  heartbeat?: number
  /**
   * Receives internal errors (a throwing `authorize`, a failing version store)
   * that clients only see as a generic 500/503. Defaults to `console.error`.
   */
  onError?: (error: unknown, request?: Request) => void
}

/**
 * Diagnostics of a server: live resources of held requests. All 0 when idle.
 *
 * @example
 * server.stats() // { held: 0, timers: 0, abortListeners: 0, waiters: 0, watchedKeys: 0, subscriptions: 0 }
 */
export interface RealityServerStats extends HoldCounters {
  /** Held requests registered as waiters (those watching at least one key). */
  waiters: number
  /** Distinct keys watched by held requests. */
  watchedKeys: number
  /** Version store subscriptions held by this server (0 or 1). */
  subscriptions: number
}

/**
 * A Reality sync server; see {@link createRealityServer}.
 *
 * @example
 * const server: RealityServer = createRealityServer()
 * await server.getVersions(['user:42']) // { 'user:42': 1732271234567000 }
 */
export interface RealityServer {
  /** Answers a sync request (any path: mount it where the client's `endpoint` points). */
  handler: (request: Request) => Promise<Response>
  /** Gives `keys` new versions and wakes every held request watching them. */
  invalidate: (keys: string | readonly string[], options?: InvalidateOptions) => Promise<Record<string, number>>
  /**
   * Current versions of `keys`. A never-written key reads as the store's floor
   * version: `0` for a durable store (Postgres), a version issued at startup
   * for the memory store (see `VersionStore.read`).
   */
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
 * it accepts `POST` (sync, long-poll, `"stream": true`), `GET ?key=…`
 * (versions as JSON, or Server-Sent Events) and `OPTIONS` when `cors` is set.
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
  const onError = options.onError ?? ((error: unknown) => console.error('[reality] internal error', error))
  const registry = new WaiterRegistry(store)
  const counters: HoldCounters = { held: 0, timers: 0, abortListeners: 0 }
  let closed = false
  const deadlines = new DeadlineWheel<Hold>()
  const writer = createWriter(store, limits)
  const core = createSyncCore({
    limits,
    authorize: options.authorize,
    cors: options.cors ? createCorsPolicy(options.cors) : undefined,
    answer: { store, registry, counters, closed: () => closed, deadlines },
    stream: resolveStreamTiming(options.maxStream, options.heartbeat),
    closed: () => closed,
    report(error, input) {
      try {
        onError(error, input.request())
      } catch {}
    },
  })

  // Plain promise chains rather than async functions on the held path: each
  // suspended async frame costs a few hundred bytes per held request.
  const handler = (request: Request): Promise<Response> => core(new RequestInput(request)).then(toResponse)
  const closedError = () => Promise.reject(new Error('This Reality server is closed.'))

  return {
    limits,
    // toNodeHandler(server.handler) finds the core and skips Request/Response.
    handler: attachSyncCore(handler, core),
    invalidate: (keys, invalidateOptions) => (closed ? closedError() : writer.invalidate(keys, invalidateOptions)),
    getVersions: (keys) => (closed ? closedError() : writer.getVersions(keys)),
    stats: () => ({ ...counters, ...registry.stats() }),
    async close() {
      if (closed) return
      closed = true
      deadlines.forEach((hold) => hold.cancel())
      if (ownsStore) await store.close?.()
    },
  }
}

/** A fetch `Request` as {@link SyncInput}. A class, not closures: one object per (possibly held) request. */
class RequestInput implements SyncInput {
  constructor(private readonly source: Request) {}
  get method() {
    return this.source.method
  }
  url() {
    return this.source.url
  }
  header(name: string) {
    return this.source.headers.get(name)
  }
  readText(maxBytes: number, timeoutMs: number) {
    return readBody(this.source, maxBytes, timeoutMs)
  }
  signal() {
    return this.source.signal
  }
  request() {
    return this.source
  }
}
