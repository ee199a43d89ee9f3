import type { SyncCore } from './sync-core.js'

/**
 * `toNodeHandler(server.handler)` is the common Node setup. Building a
 * `Request`, a web stream for its body and a `Response` costs more than the
 * whole sync answer (see the server-throughput bench), so a server's handler
 * carries its core under this symbol and the Node adapter feeds it the
 * `IncomingMessage` directly. Any other handler takes the generic path.
 */
const SYNC_CORE = Symbol.for('reality.server.syncCore')

/**
 * Marks `handler` as backed by `core`.
 *
 * @example
 * const handler = attachSyncCore(async (request) => toResponse(await core(requestInput(request))), core)
 */
export function attachSyncCore<T extends (request: Request) => Promise<Response>>(handler: T, core: SyncCore): T {
  Object.defineProperty(handler, SYNC_CORE, { value: core })
  return handler
}

/**
 * The core behind a handler made by `createRealityServer`, if it is one.
 *
 * @example
 * const core = syncCoreOf(server.handler) // SyncCore | undefined
 */
export function syncCoreOf(handler: (request: Request) => Promise<Response>): SyncCore | undefined {
  return (handler as { [SYNC_CORE]?: SyncCore })[SYNC_CORE]
}
