import { findDuplicateKey } from './duplicate-keys.js'
import { ProtocolError } from './error.js'
import { DEFAULT_LIMITS, keyProblem, type Limits } from './limits.js'
import { createSchemas } from './schema.js'
import type { ErrorIssue, SyncRequest } from './types.js'

/** Either a valid request or the error to answer with. */
export type ParseResult = { ok: true; request: SyncRequest } | { ok: false; error: ProtocolError }

const schemaCache = new WeakMap<Limits, ReturnType<typeof createSchemas>>()

function schemasFor(limits: Limits) {
  let schemas = schemaCache.get(limits)
  if (!schemas) schemaCache.set(limits, (schemas = createSchemas(limits)))
  return schemas
}

const EXAMPLE = '{"v":1,"known":{"chat:room:general":null}}'

/**
 * Turns untrusted JSON text into a typed sync request, or into the error
 * (status, code, message, issues) the server should answer with. Never throws.
 *
 * `known` comes back as a prototype-free object: keys such as `__proto__`
 * or `constructor` are ordinary data.
 *
 * @example
 * const result = parseSyncRequest('{"v":1,"known":{"user:42":null}}')
 * if (result.ok) result.request.known['user:42'] // null
 * else result.error.status // 400, 413…
 */
export function parseSyncRequest(text: string, limits: Limits = DEFAULT_LIMITS): ParseResult {
  if (text.length > limits.maxBodyBytes) {
    return fail(413, 'payload_too_large', `Sync bodies are limited to ${limits.maxBodyBytes} bytes.`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return fail(400, 'invalid_json', `The body is not valid JSON. Send an object like ${EXAMPLE}.`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail(400, 'invalid_request', `The body must be a JSON object like ${EXAMPLE}.`)
  }
  const duplicate = findDuplicateKey(text)
  if (duplicate !== undefined) {
    return fail(400, 'duplicate_key', `The key ${JSON.stringify(duplicate)} appears twice in one object.`)
  }
  const body = raw as Record<string, unknown>
  if (body.v !== 1 && (typeof body.v === 'number' || typeof body.v === 'string')) {
    return fail(400, 'unsupported_version', `This server speaks protocol v1 and got v=${JSON.stringify(body.v)}. Use a matching client.`)
  }
  const rawKnown = body.known
  // `known` is checked by hand, before zod: zod skips a `__proto__` entry of
  // a record and words key errors vaguely, and every entry must be checked.
  // The entries are copied into an object without a prototype, so no key is
  // special anywhere downstream.
  const known: Record<string, number | null> = Object.create(null)
  if (typeof rawKnown === 'object' && rawKnown !== null && !Array.isArray(rawKnown)) {
    const keys = Object.keys(rawKnown)
    if (keys.length > limits.maxKeys) {
      return fail(400, 'too_many_keys', `A request may list at most ${limits.maxKeys} keys; this one lists ${keys.length}. Watch fewer keys per store or raise limits.maxKeys on the server.`)
    }
    for (const key of keys) {
      const value = (rawKnown as Record<string, unknown>)[key]
      const problem = keyProblem(key, limits.maxKeyLength) ?? versionProblem(value)
      if (problem) return fail(400, 'invalid_request', `Invalid sync request at known[${JSON.stringify(key)}]: ${problem}`, [{ path: ['known', key], message: problem }])
      known[key] = value as number | null
    }
  }
  const parsed = schemasFor(limits).request.safeParse(raw)
  if (!parsed.success) {
    const issues: ErrorIssue[] = parsed.error.issues.map((issue) => ({
      path: issue.path.map((part) => (typeof part === 'number' ? part : String(part))),
      message: issue.message,
    }))
    const first = issues[0]!
    const where = first.path.length ? ` at ${first.path.join('.')}` : ''
    return fail(400, 'invalid_request', `Invalid sync request${where}: ${first.message}`, issues)
  }
  const request: SyncRequest = { v: 1, known }
  if (parsed.data.wait !== undefined) request.wait = parsed.data.wait
  if (parsed.data.stream === true) request.stream = true
  return { ok: true, request }
}

function fail(status: number, code: ProtocolError['code'], message: string, issues?: ErrorIssue[]): ParseResult {
  return { ok: false, error: new ProtocolError(status, code, message, issues) }
}

function versionProblem(value: unknown): string | undefined {
  if (value === null) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    return 'Versions must be null or non-negative safe integers.'
  }
  return undefined
}
