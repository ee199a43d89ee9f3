import { z } from 'zod'
import { DEFAULT_LIMITS, keyProblem, type Limits } from './limits.js'

/** A version: a non-negative safe integer. */
export const versionSchema = z
  .number()
  .int('Versions must be whole numbers.')
  .nonnegative('Versions must not be negative.')
  .max(Number.MAX_SAFE_INTEGER, 'Versions must be safe integers.')

/**
 * Zod schemas of protocol v1 for the given limits. The server builds them
 * once per configuration; `syncRequestSchema` etc. are the default ones.
 *
 * @example
 * const { request } = createSchemas({ ...DEFAULT_LIMITS, maxKeys: 50 })
 * request.safeParse({ v: 1, known: { a: null } }).success // true
 */
export function createSchemas(limits: Limits = DEFAULT_LIMITS) {
  const key = z.string().check((ctx) => {
    const problem = keyProblem(ctx.value, limits.maxKeyLength)
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value })
  })
  const request = z.object({
    v: z.literal(1, 'This server speaks protocol v1: send "v": 1.'),
    known: z
      .record(key, versionSchema.nullable())
      .refine((known) => Object.keys(known).length <= limits.maxKeys, {
        message: `At most ${limits.maxKeys} keys per request.`,
      }),
    wait: z.number().int('wait must be whole milliseconds.').nonnegative('wait must not be negative.').optional(),
    stream: z.boolean('stream must be true or false.').optional(),
  })
  const changedEntry = z.object({
    version: versionSchema,
    hash: z.string().optional(),
    payload: z.unknown().optional(),
  })
  const response = z.object({
    v: z.literal(1),
    changed: z.record(z.string(), changedEntry),
    denied: z.array(z.string()).optional(),
  })
  const versionsResponse = z.object({
    v: z.literal(1),
    versions: z.record(z.string(), versionSchema),
    denied: z.array(z.string()).optional(),
  })
  const changeEvent = changedEntry.extend({ key: z.string() })
  const errorBody = z.object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })).optional(),
    }),
  })
  return { key, request, changedEntry, response, versionsResponse, changeEvent, errorBody }
}

const defaults = createSchemas()

/** Schema of a sync request body under the default limits. */
export const syncRequestSchema = defaults.request
/** Schema of a `200` sync response body. */
export const syncResponseSchema = defaults.response
/** Schema of one `changed` entry. */
export const changedEntrySchema = defaults.changedEntry
/** Schema of the JSON answer to `GET {endpoint}?key=…`. */
export const versionsResponseSchema = defaults.versionsResponse
/** Schema of the `data` of one `event: change` of the event-stream answer. */
export const changeEventSchema = defaults.changeEvent
/** Schema of an error body. */
export const errorBodySchema = defaults.errorBody
