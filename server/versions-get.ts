import { ProtocolError } from '../protocol/error.js'
import type { VersionsResponse } from '../protocol/types.js'
import { StoreUnavailableError } from './answer.js'
import { openChangeStream } from './change-stream.js'
import { decodeCursor, EVENT_STREAM_TYPE, eventStreamFormat } from './event-stream.js'
import { acceptedAnswer, parseKeysQuery } from './keys-query.js'
import { errorOutput, jsonOutput, RETRY_AFTER_SECONDS, unavailableError, type SyncOutput } from './responses.js'
import { streamOutput } from './stream.js'
import { authorizeKeys, type SyncCoreConfig, type SyncInput } from './sync-core.js'

/**
 * `GET {endpoint}?key=a&key=b`, for clients that are not a Reality store:
 * with `Accept: text/event-stream`, Server-Sent Events of every change
 * (resumable through `Last-Event-ID`); otherwise the current versions as
 * JSON with an `ETag` (`If-None-Match` → `304`). Closed server, query,
 * limits and `authorize` are checked exactly as for a POST, with the same
 * codes; a wrong `Accept` is a 406.
 *
 * @example
 * const output = await answerGet(config, input, corsHeaders) // 200 {"v":1,"versions":{"a":1732271234567001}}
 */
export async function answerGet(config: SyncCoreConfig, input: SyncInput, corsHeaders: Record<string, string> | undefined): Promise<SyncOutput> {
  const fail = (error: ProtocolError, extra?: Record<string, string>) => errorOutput(error, { ...corsHeaders, ...extra })
  const retryAfter = { 'retry-after': String(RETRY_AFTER_SECONDS) }
  if (config.closed()) return fail(unavailableError(), retryAfter)
  const wanted = acceptedAnswer(input.header('accept'))
  if (typeof wanted !== 'string') return fail(wanted)
  const keys = parseKeysQuery(input.url(), config.limits)
  if (!Array.isArray(keys)) return fail(keys)
  const known = wanted === 'events' ? decodeCursor(input.header('last-event-id'), keys) : undefined
  if (known instanceof ProtocolError) return fail(known)
  const authorized = await authorizeKeys(config, input, keys)
  if ('error' in authorized) return fail(authorized.error, authorized.headers)
  const { allowed, denied } = authorized
  try {
    if (known) {
      const report = (error: unknown) => config.report(error, input)
      const body = await openChangeStream(config.answer, config.stream, eventStreamFormat(keys, denied), allowed, known, input.signal(), report)
      return streamOutput(body, EVENT_STREAM_TYPE, corsHeaders)
    }
    return await versionsOutput(config, input, allowed, denied, corsHeaders)
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error
    config.report(error.cause, input)
    return fail(unavailableError(), retryAfter)
  }
}

async function versionsOutput(
  config: SyncCoreConfig,
  input: SyncInput,
  allowed: string[],
  denied: string[],
  corsHeaders: Record<string, string> | undefined,
): Promise<SyncOutput> {
  let entries
  try {
    entries = await config.answer.store.read(allowed)
  } catch (error) {
    throw new StoreUnavailableError(error)
  }
  const versions: Record<string, number> = Object.create(null)
  for (const key of allowed) versions[key] = entries.get(key)?.version ?? 0
  const body: VersionsResponse = { v: 1, versions }
  if (denied.length) body.denied = denied
  const text = JSON.stringify(body)
  const etag = `"${contentHash(text)}"`
  // Revalidated every time (never served stale), and only from a private
  // cache when what a client sees depends on who it is.
  const headers = { ...corsHeaders, etag, 'cache-control': config.authorize ? 'private, no-cache' : 'no-cache' }
  if (matchesEtag(input.header('if-none-match'), etag)) return { status: 304, headers, body: null }
  return jsonOutput(200, text, headers)
}

/** `If-None-Match` (a list, `*`, weak or strong tags) against our strong tag. */
function matchesEtag(header: string | null, etag: string): boolean {
  if (header === null) return false
  return header.split(',').some((tag) => {
    const trimmed = tag.trim()
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag
  })
}

/**
 * A 53-bit hash of the answer (cyrb53) in base 36: equal answers, equal
 * tags. Not a security boundary: a collision (about 1 in 2^53 per
 * change) would answer one poll 304 for changed versions; the key's next
 * change ends it.
 */
function contentHash(text: string): string {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ code, 2654435761)
    h2 = Math.imul(h2 ^ code, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)
}
