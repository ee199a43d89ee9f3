import type { ChangedEntry, SyncResponse } from '../protocol/types.js'
import type { StreamBody, StreamFormat } from './change-stream.js'
import type { SyncOutput } from './responses.js'

/**
 * Media type of a streamed sync answer: one v1 sync answer per line.
 *
 * @example
 * response.headers.get('content-type') === NDJSON_TYPE
 */
export const NDJSON_TYPE = 'application/x-ndjson'

const EMPTY_LINE = '{"v":1,"changed":{}}\n'

/**
 * The NDJSON format of `"stream": true`: every line is exactly a v1 sync
 * answer. The first line is written at once (with `denied`, if any), later
 * lines only when something changed; the heartbeat is an empty answer.
 *
 * @example
 * ndjsonFormat([]).changes({ a: { version: 4 } }, false, {}) // '{"v":1,"changed":{"a":{"version":4}}}\n'
 */
export function ndjsonFormat(denied: string[]): StreamFormat {
  return {
    changes(changed: Record<string, ChangedEntry> | undefined, first: boolean) {
      if (!changed && !first) return undefined
      if (!changed && !denied.length) return EMPTY_LINE
      const answer: SyncResponse = { v: 1, changed: changed ?? {} }
      if (first && denied.length) answer.denied = denied
      return JSON.stringify(answer) + '\n'
    },
    heartbeat: EMPTY_LINE,
  }
}

/**
 * The `200` output around a stream body, with the house headers: never
 * stored, and `X-Accel-Buffering: no` so nginx-style proxies pass lines
 * through instead of buffering the whole answer.
 *
 * @example
 * return streamOutput(body, NDJSON_TYPE, corsHeaders)
 */
export function streamOutput(stream: StreamBody, contentType: string, extra?: Record<string, string>): SyncOutput {
  return {
    status: 200,
    headers: { 'content-type': contentType, 'cache-control': 'no-store', 'x-accel-buffering': 'no', ...extra },
    body: null,
    stream,
  }
}

const encoder = new TextEncoder()

/**
 * A stream body as a web `ReadableStream` (fetch runtimes, the generic Node
 * path). Pull-based: the body waits while the consumer's queue is full, so a
 * slow client makes the stream coalesce changes rather than buffer them.
 * Cancelling the stream (the client went away) stops the body.
 *
 * @example
 * new Response(toReadableStream(output.stream), { headers: output.headers })
 */
export function toReadableStream(stream: StreamBody): ReadableStream<Uint8Array> {
  let resume: (() => void) | undefined
  let cancelled = false
  const wakeWriter = () => {
    const waiting = resume
    resume = undefined
    waiting?.()
  }
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const write = async (text: string) => {
        if (cancelled) return
        controller.enqueue(encoder.encode(text))
        while (!cancelled && (controller.desiredSize ?? 1) <= 0) await new Promise<void>((resolve) => (resume = resolve))
      }
      void stream.run(write).then(() => {
        if (cancelled) return
        try {
          controller.close()
        } catch {}
      })
    },
    pull() {
      wakeWriter()
    },
    cancel() {
      cancelled = true
      stream.stop()
      wakeWriter()
    },
  })
}
