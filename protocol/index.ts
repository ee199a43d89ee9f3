/**
 * `reality/protocol`: wire protocol v1 — constants, limits, types, zod
 * schemas and the one function that parses an untrusted request body.
 *
 * @packageDocumentation
 */
export * from './limits.js'
export type * from './types.js'
export { ProtocolError } from './error.js'
export { findDuplicateKey } from './duplicate-keys.js'
export { parseSyncRequest, type ParseResult } from './parse.js'
export {
  createSchemas,
  versionSchema,
  syncRequestSchema,
  syncResponseSchema,
  changedEntrySchema,
  versionsResponseSchema,
  changeEventSchema,
  errorBodySchema,
} from './schema.js'
