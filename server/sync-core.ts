import type { ProtocolError } from '../protocol/error.js'
import type { Limits } from '../protocol/limits.js'
import { answerSync, StoreUnavailableError, type AnswerContext } from './answer.js'
import { RealityAuthError, splitAllowed, type Authorize } from './auth.js'
import { openChangeStream, type StreamTiming } from './change-stream.js'
import type { CorsPolicy } from './cors.js'
import { parseSyncBody } from './fast-parse.js'
import { contentTypeProblem } from './read-body.js'
import { errorOutput, internalError, jitteredRetryAfter, jsonOutput, overloadedError, protocolError, RETRY_AFTER_SECONDS, unavailableError, type SyncOutput } from './responses.js'
import { ndjsonFormat, NDJSON_TYPE, streamOutput } from './stream.js'
import { answerGet } from './versions-get.js'

/**
 * One incoming sync request, independent of how it arrived: a fetch
 * `Request`, or a Node `IncomingMessage` on the Node adapter's fast path
 * (which never builds a `Request` unless `authorize` asks for one).
 *
 * @example
 * const input: SyncInput = { method: 'POST', header: (name) => request.headers.get(name), readText: (max, ms) => readBody(request, max, ms), signal: () => request.signal, request: () => request }
 */
export interface SyncInput {
  readonly method: string
  /** The request URL, or at least its path and query (`/reality/sync?key=a`). */
  url(): string
  /** A request header by lower-case name, or `null`. */
  header(name: string): string | null
  /** The body as UTF-8 text, or the 400/408/413 to answer; at most `maxBytes`, within `timeoutMs`. */
  readText(maxBytes: number, timeoutMs: number): Promise<string | ProtocolError>
  /** Aborted when the client goes away. */
  signal(): AbortSignal
  /** A `Request` for the `authorize` hook (its body is already consumed). */
  request(): Request
}

const UNCHANGED = '{"v":1,"changed":{}}'

function isEmpty(record: object): boolean {
  for (const _ in record) return false
  return true
}

/**
 * What the core needs from the server.
 *
 * @example
 * createSyncCore({ limits, authorize: undefined, cors: undefined, answer, closed: () => false, report: console.error })
 */
export interface SyncCoreConfig {
  limits: Readonly<Limits>
  authorize: Authorize | undefined
  cors: CorsPolicy | undefined
  answer: AnswerContext
  /** Lifetime and heartbeat of streamed answers (NDJSON and Server-Sent Events). */
  stream: StreamTiming
  /** True once the server is closed: answer 503. */
  closed(): boolean
  report(error: unknown, input: SyncInput): void
}

/**
 * The sync endpoint as a function of {@link SyncInput}; see `createRealityServer`.
 *
 * @example
 * const output = await core(input) // { status: 200, headers, body: '{"v":1,"changed":{}}' }
 */
export type SyncCore = (input: SyncInput) => Promise<SyncOutput>

/**
 * Builds the request pipeline: CORS, method, content type, body size,
 * parse, authorize, then answer (possibly held). Never throws: anything
 * unexpected becomes a generic 500 and goes to `report`.
 *
 * @example
 * const core = createSyncCore(config)
 * const output = await core(inputFromRequest(request))
 */
export function createSyncCore(config: SyncCoreConfig): SyncCore {
  const { limits, cors } = config
  const allow = cors ? 'GET, POST, OPTIONS' : 'GET, POST'
  const retryAfter = { 'retry-after': String(RETRY_AFTER_SECONDS) }

  async function handle(input: SyncInput, corsHeaders: Record<string, string> | undefined): Promise<SyncOutput> {
    const fail = (error: ProtocolError, extra?: Record<string, string>) => errorOutput(error, extra ? { ...corsHeaders, ...extra } : corsHeaders)
    if (input.method === 'GET') return answerGet(config, input, corsHeaders)
    if (input.method !== 'POST') {
      return fail(protocolError(405, 'method_not_allowed', `The sync endpoint accepts ${allow}; got ${input.method}.`), { allow })
    }
    if (config.closed()) return fail(unavailableError(), retryAfter)
    const mediaProblem = contentTypeProblem(input.header('content-type'))
    if (mediaProblem) return fail(mediaProblem)
    const text = await input.readText(limits.maxBodyBytes, limits.bodyTimeout)
    if (typeof text !== 'string') return fail(text)
    const parsed = parseSyncBody(text, limits)
    if (!parsed.ok) return fail(parsed.error)

    const keys = Object.keys(parsed.request.known)
    const authorized = await authorizeKeys(config, input, keys)
    if ('error' in authorized) return fail(authorized.error, authorized.headers)
    const { allowed, denied } = authorized
    const waitMs = Math.min(parsed.request.wait ?? 0, limits.maxWait)
    // Full: refuse rather than hold, so memory stays bounded (nothing is held).
    if ((waitMs > 0 || parsed.request.stream) && config.answer.counters.held >= limits.maxHeld) {
      return fail(overloadedError(), { 'retry-after': jitteredRetryAfter() })
    }
    const unavailable = (error: unknown) => {
      if (!(error instanceof StoreUnavailableError)) throw error
      config.report(error.cause, input)
      return fail(unavailableError(), retryAfter)
    }
    if (parsed.request.stream) {
      const report = (error: unknown) => config.report(error, input)
      return openChangeStream(config.answer, config.stream, ndjsonFormat(denied), allowed, parsed.request.known, input.signal(), report).then(
        (body) => streamOutput(body, NDJSON_TYPE, corsHeaders),
        unavailable,
      )
    }
    // Returned, not awaited: this frame (the body text, the parsed request)
    // must not stay alive while the request is held.
    return answerSync(config.answer, parsed.request, allowed, denied, waitMs, waitMs > 0 ? input.signal() : undefined).then((body) => {
      // The most common answer of all, without serializing it each time.
      const answer = body.denied === undefined && isEmpty(body.changed) ? UNCHANGED : JSON.stringify(body)
      return jsonOutput(200, answer, corsHeaders)
    }, unavailable)
  }

  const crashed = (error: unknown, input: SyncInput, corsHeaders: Record<string, string> | undefined) => {
    config.report(error, input)
    return errorOutput(internalError(), corsHeaders)
  }
  // Not an async function: a held request would keep one more suspended frame alive.
  return (input) => {
    let corsHeaders: Record<string, string> | undefined
    try {
      if (cors) {
        const origin = input.header('origin')
        if (input.method === 'OPTIONS') return Promise.resolve(cors.preflight(origin))
        corsHeaders = cors.responseHeaders(origin)
      }
      return handle(input, corsHeaders).catch((error: unknown) => crashed(error, input, corsHeaders))
    } catch (error) {
      return Promise.resolve(crashed(error, input, corsHeaders))
    }
  }
}

/**
 * Runs `authorize` over the requested keys (POST and GET alike): the
 * allowed and denied keys, or the 401/403 (from `RealityAuthError`) or
 * generic 500 (anything else, reported) to answer.
 *
 * @example
 * const authorized = await authorizeKeys(config, input, ['a', 'admin:b'])
 * if ('error' in authorized) return errorOutput(authorized.error, authorized.headers)
 */
export async function authorizeKeys(
  config: Pick<SyncCoreConfig, 'authorize' | 'report'>,
  input: SyncInput,
  keys: string[],
): Promise<{ allowed: string[]; denied: string[] } | { error: ProtocolError; headers?: Record<string, string> }> {
  if (!config.authorize) return { allowed: keys, denied: [] }
  try {
    return splitAllowed(keys, await config.authorize(input.request(), keys))
  } catch (error) {
    if (error instanceof RealityAuthError) {
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(error.headers)) headers[name.toLowerCase()] = value
      return { error: protocolError(error.status, error.status === 401 ? 'unauthorized' : 'forbidden', error.message), headers }
    }
    config.report(error, input)
    return { error: internalError() }
  }
}
