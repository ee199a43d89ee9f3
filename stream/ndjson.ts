import type { SyncRequest, SyncResponse } from '../protocol/types.js'
import { RealityError, type HttpTransportOptions } from '../store/index.js'
import { endpointOf, postSync, readJson, readResponse } from '../store/transports/http.js'

/**
 * Sends `request` with `"stream": true` and calls `onAnswer` for every NDJSON
 * line as it arrives, read from fetch's body. Resolves when the server ends
 * the stream (a server that answers plain JSON does not stream: that one
 * answer, then done); rejects like `httpTransport`'s `sync` on failure, and a
 * stream that broke off, ended mid-line or carried a line that is not JSON
 * is a retryable `sync_failed`.
 *
 * @example
 * await readStream({ endpoint: '/reality/sync' }, { v: 1, known: { a: 3 } }, signal, (answer) => apply(answer))
 */
export async function readStream(options: HttpTransportOptions, request: SyncRequest, signal: AbortSignal, onAnswer: (response: SyncResponse) => void): Promise<void> {
  const endpoint = endpointOf(options)
  const broken = (what: string, cause?: unknown) => new RealityError('sync_failed', `${endpoint} ${what}`, { cause })
  const response = await postSync(options, { v: 1, known: request.known, stream: true }, signal)
  if (!/ndjson/.test(response.headers.get('content-type')!) || !response.body) {
    return onAnswer(await readJson(response, endpoint))
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
}
