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
 * `serverCode` and `retryAfter`, a truncated / non-JSON body, a stream that
 * broke off or carried a line that is not JSON: all retryable) or
 * `protocol_mismatch` (JSON that is not a protocol v1 answer). `stream`
 * reads the NDJSON answer of `"stream": true` line by line from fetch's body.
 *
 * @example
 * const store = createStore({ transport: httpTransport({ endpoint: 'https://api.example.com/reality/sync', credentials: 'include' }) })
 */
export function httpTransport(options: HttpTransportOptions = {}): Transport {
  // DEFAULT_ENDPOINT of protocol/limits.ts, inlined: importing that module
  // drags its frozen DEFAULT_LIMITS object into the client bundle.
  const { endpoint = '/reality/sync', headers, credentials } = options
  const broken = (what: string, cause?: unknown) => new RealityError('sync_failed', `${endpoint} ${what}`, { cause })

  async function post(request: SyncRequest, signal: AbortSignal): Promise<Response> {
    const init: RequestInit = {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(typeof headers === 'function' ? headers() : headers) },
      body: JSON.stringify(request),
      signal,
      credentials,
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

  /** The JSON body of a 200, or a retryable failure: a truncated answer or another service's page (misrouted request). */
  async function readJson(response: Response): Promise<SyncResponse> {
    const text = await response.text().catch(() => undefined)
    let body: unknown
    try {
      body = text === undefined ? undefined : JSON.parse(text)
    } catch {
      // Not JSON: a retry can fix both causes; a 200 says nothing about that.
    }
    if (body === undefined) throw broken('answered 200 with a truncated or non-JSON body: retrying')
    return readResponse(body, endpoint)
  }

  return {
    async sync(request, signal) {
      return readJson(await post(request, signal))
    },

    async stream(request, signal, onAnswer) {
      const response = await post({ v: 1, known: request.known, stream: true }, signal)
      // A server that answers plain JSON does not stream: that one answer, then done.
      if (!/ndjson/.test(response.headers.get('content-type')!) || !response.body) {
        return onAnswer(await readJson(response))
      }
      const reader = response.body.getReader()
      const decoder = new TextDecoder()
      let buffer = ''
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>
        try {
          chunk = await reader.read()
        } catch (cause) {
          if (signal.aborted) throw cause
          throw broken('stream broke off', cause)
        }
        if (chunk.done) break
        buffer += decoder.decode(chunk.value, { stream: true })
        for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
          const line = buffer.slice(0, end)
          buffer = buffer.slice(end + 1)
          if (!line.trim()) continue
          let answer: unknown
          try {
            answer = JSON.parse(line)
          } catch {
            reader.cancel().catch(() => {})
            throw broken('streamed a line that is not JSON')
          }
          onAnswer(readResponse(answer, endpoint))
        }
      }
      // The last line must be whole: a cut one means the connection broke.
      if (buffer.trim()) throw broken('stream ended mid-line')
    },
  }
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
