import type { SyncRequest, SyncResponse } from '../../protocol/types.js'
import { RealityError } from '../errors.js'
import type { Transport } from '../types.js'

/** Options of {@link httpTransport}. */
export interface HttpTransportOptions {
  /** URL of the sync handler. Default `/reality/sync`. */
  endpoint?: string
  /** The `fetch` to call. Default `globalThis.fetch`, looked up at each request. */
  fetch?: typeof fetch
  /** Extra request headers (auth tokens…), or a function returning them per request. */
  headers?: Record<string, string> | (() => Record<string, string>)
  /** `fetch`'s `credentials` (send cookies cross-origin with `'include'`). */
  credentials?: RequestCredentials
}

/**
 * The default transport: `POST {endpoint}` with a JSON body, answer
 * validated by hand (no schema library in the client). Failures reject with
 * a {@link RealityError}: `sync_failed` (network, HTTP status with `status`,
 * `serverCode` and `retryAfter`, a truncated / non-JSON body: all retryable)
 * or `protocol_mismatch` (JSON that is not a protocol v1 answer). Streaming
 * (`"stream": true`) is opt-in: `streamTransport` of `reality/stream`.
 *
 * @example
 * const store = createStore({ transport: httpTransport({ endpoint: 'https://api.example.com/reality/sync', credentials: 'include' }) })
 */
export function httpTransport(options: HttpTransportOptions = {}): Transport {
  return {
    async sync(request, signal) {
      return readJson(await postSync(options, request, signal), endpointOf(options))
    },
  }
}

/**
 * The endpoint `options` name, or `/reality/sync` (DEFAULT_ENDPOINT of
 * protocol/limits.ts, inlined: importing that module drags its frozen
 * DEFAULT_LIMITS object into the client bundle).
 *
 * @example
 * endpointOf({}) // '/reality/sync'
 */
export function endpointOf(options: HttpTransportOptions): string {
  return options.endpoint ?? '/reality/sync'
}

/**
 * Sends one sync request (`POST`, JSON) and returns the `200` response
 * unread; rejects with a retryable `sync_failed` on a network failure or
 * another status (with `status`, `serverCode`, `retryAfter`), and as `fetch`
 * does when `signal` aborts.
 *
 * @example
 * const response = await postSync({ endpoint: '/reality/sync' }, { v: 1, known: { a: 3 }, stream: true }, signal)
 */
export async function postSync(options: HttpTransportOptions, request: SyncRequest, signal: AbortSignal): Promise<Response> {
  const endpoint = endpointOf(options)
  const { headers } = options
  const init: RequestInit = {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(typeof headers === 'function' ? headers() : headers) },
    body: JSON.stringify(request),
    signal,
    credentials: options.credentials,
  }
  let response: Response
  try {
    response = await (options.fetch ?? fetch)(endpoint, init)
  } catch (cause) {
    if (signal.aborted) throw cause
    throw new RealityError('sync_failed', `Could not reach ${endpoint}: ${cause}`, { cause })
  }
  if (!response.ok) {
    const body = await response.json().catch(() => undefined)
    // Retry-After in seconds, as Reality servers send it (an HTTP date is ignored).
    throw new RealityError('sync_failed', `${endpoint} answered ${response.status} ${body?.error?.message ?? ''}`, {
      status: response.status,
      serverCode: body?.error?.code,
      retryAfter: +response.headers.get('retry-after')! * 1000 || undefined,
    })
  }
  return response
}

/**
 * The JSON body of a 200 as a sync answer, or a retryable `sync_failed`: a
 * truncated answer or another service's page (misrouted request).
 *
 * @example
 * const answer = await readJson(await postSync(options, request, signal), '/reality/sync')
 */
export async function readJson(response: Response, endpoint: string): Promise<SyncResponse> {
  const text = await response.text().catch(() => undefined)
  let body: unknown
  try {
    body = text === undefined ? undefined : JSON.parse(text)
  } catch {
    // Not JSON: a retry can fix both causes; a 200 says nothing about that.
  }
  if (body === undefined) throw new RealityError('sync_failed', `${endpoint} answered 200 with a truncated or non-JSON body: retrying`)
  return readResponse(body, endpoint)
}

/**
 * Checks a sync answer against protocol v1 and returns it typed.
 *
 * @example
 * readResponse({ v: 1, changed: {} }, '/reality/sync') // { v: 1, changed: {} }
 */
export function readResponse(body: any, endpoint: string): SyncResponse {
  // What the client relies on: `v`, a `changed` object of non-negative safe
  // integer versions, `denied` absent or an array. Hashes are only compared
  // with `===` and keys only looked up, so other fields need no check.
  const changed = body?.changed
  if (
    body?.v !== 1 ||
    typeof changed != 'object' ||
    !changed ||
    Array.isArray(changed) ||
    !Object.values(changed).every((entry: any) => Number.isSafeInteger(entry?.version) && entry.version >= 0) ||
    !(body.denied ?? []).map
  ) {
    throw new RealityError('protocol_mismatch', `${endpoint} is no Reality v1 sync handler`)
  }
  return body
}
