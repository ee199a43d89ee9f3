/**
 * `reality/server`: the stateless sync handler (`Request → Response`), its
 * version stores and the Node adapter.
 *
 * @packageDocumentation
 */
export { createRealityServer, type RealityServer, type RealityServerOptions, type RealityServerStats } from './create-server.js'
export { RealityAuthError, type Authorize, type RealityAuthErrorOptions } from './auth.js'
export type { CorsOptions } from './cors.js'
export type { InvalidateOptions } from './writes.js'
export { memoryVersions, type MemoryVersionsOptions } from './versions/memory.js'
export { toNodeHandler, type NodeHandler } from './node-handler.js'
export { idempotentWrites, type IdempotentWrites, type IdempotentWritesOptions } from './idempotency.js'
export type { VersionStore, VersionEntry, VersionChange, BumpMeta, ChangeListener, SubscribeOptions } from './version-store.js'
export type { ChangedReader } from './answer.js'
