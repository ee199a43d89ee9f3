/**
 * `reality/server`: the stateless sync handler (`Request → Response`) and
 * the in-memory version store. Fetch-only (no Node types): the Node adapter
 * is `reality/server/node`, the networked stores `reality/server/redis` and
 * `reality/server/postgres`.
 *
 * @packageDocumentation
 */
export { createRealityServer, type RealityServer, type RealityServerOptions, type RealityServerStats } from './create-server.js'
export { RealityAuthError, type Authorize, type RealityAuthErrorOptions } from './auth.js'
export type { CorsOptions } from './cors.js'
export type { InvalidateOptions } from './writes.js'
export { memoryVersions, type MemoryVersionsOptions } from './versions/memory.js'
export { idempotentWrites, type IdempotencyClaim, type IdempotencyStore, type IdempotentWrites, type IdempotentWritesOptions } from './idempotency.js'
export { memoryIdempotency, type MemoryIdempotencyOptions } from './idempotency-memory.js'
export type { VersionStore, VersionEntry, VersionChange, BumpMeta, ChangeListener, SubscribeOptions } from './version-store.js'
export type { ChangedReader } from './answer.js'
