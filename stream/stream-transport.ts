import type { SyncRequest, SyncResponse } from '../protocol/types.js'
import { httpTransport, RealityError, type HttpTransportOptions, type Transport } from '../store/index.js'
import { readStream } from './ndjson.js'

type Known = Record<string, number | null>

/** How long the first streamed line may take before the transport gives up streaming (a buffering proxy), ms. */
export const FIRST_LINE_MS = 3000
/** A stream silent this long is treated as broken (the server writes a line at least every 15 s), ms. */
export const STREAM_SILENCE_MS = 25_000

/** Options of {@link streamTransport}: those of `httpTransport` (`endpoint`, `fetch`, `headers`, `credentials`). */
export type StreamTransportOptions = HttpTransportOptions

/** A held `sync()` call waiting for the stream's next change. */
interface HeldCall {
  resolve(response: SyncResponse): void
  reject(error: unknown): void
}

/** The stream open now: what it has reported, and answers no held call took yet. */
interface OpenStream {
  controller: AbortController
  /** The version of every key as the stream last reported it (starts as the `known` it was opened with). */
  reported: Known
  /** Changes that arrived while no held call waited; handed to the next one. */
  unread: SyncResponse
  answered: boolean
  call?: HeldCall
  cancelSilence(): void
}

const isEmpty = (response: SyncResponse) => Object.keys(response.changed).length === 0 && !response.denied?.length

/**
 * A transport that keeps one NDJSON stream (`"stream": true`) open instead
 * of sending one held long-poll after another. The store's scheduler knows
 * nothing about it: it sends held `sync()` calls as it does for long-poll,
 * and this transport answers each with the next streamed line that reports
 * a change, or with an empty answer at the call's `wait`. The stream stays
 * open across those calls while the keys asked for hold the versions the
 * stream reported; a key added, or a key the store did not catch up with (a
 * failed fetch: ARCHITECTURE.md C2), reopens it. Quick (not held) calls go
 * to the inner transport as they are. If the first line takes more than 3 s
 * (a proxy that buffers) the transport long-polls for good, warning once.
 *
 * @example
 * import { createStore } from 'reality'
 * import { streamTransport } from 'reality/stream'
 * const store = createStore({ transport: streamTransport({ endpoint: '/reality/sync' }) })
 */
export function streamTransport(options: StreamTransportOptions = {}): Transport {
  /** Quick checks, and every held call once streaming fell back, go through plain HTTP. */
  const inner = httpTransport(options)
  let fellBack = false
  let open: OpenStream | undefined
  let cancelClose: ReturnType<typeof setTimeout> | undefined

  function close(stream: OpenStream | undefined) {
    if (!stream) return
    if (open === stream) open = undefined
    stream.cancelSilence()
    stream.controller.abort()
  }

  function fallBack() {
    if (fellBack) return
    fellBack = true
    console.warn(`[reality] No streamed answer within ${FIRST_LINE_MS / 1000} s: this store long-polls from now on. A proxy that buffers responses (compression, nginx proxy_buffering) is the usual cause.`)
  }

  /** Whether the open stream serves `known`: no key added, and every key holds the version reported (or one of its unread changes). */
  function covers(stream: OpenStream, known: Known): boolean {
    for (const key in known) {
      if (stream.reported[key] !== known[key] && !(key in stream.unread.changed)) return false
    }
    return true
  }

  function watchSilence(stream: OpenStream) {
    stream.cancelSilence()
    const timer = setTimeout(() => fail(stream, new RealityError('sync_failed', `No streamed line within ${STREAM_SILENCE_MS} ms: reconnecting`)), STREAM_SILENCE_MS)
    stream.cancelSilence = () => clearTimeout(timer)
  }

  function fail(stream: OpenStream, error: unknown) {
    close(stream)
    stream.call?.reject(error)
  }

  function receive(stream: OpenStream, response: SyncResponse) {
    stream.answered = true
    watchSilence(stream)
    for (const key in response.changed) {
      stream.reported[key] = response.changed[key]!.version
      stream.unread.changed[key] = response.changed[key]!
    }
    if (response.denied?.length) stream.unread.denied = [...(stream.unread.denied ?? []), ...response.denied]
    if (stream.call && !isEmpty(stream.unread)) deliver(stream, stream.call)
  }

  function deliver(stream: OpenStream, call: HeldCall) {
    const answer = stream.unread
    stream.unread = { v: 1, changed: {} }
    stream.call = undefined
    call.resolve(answer)
  }

  function openStream(known: Known, request: SyncRequest, signal: AbortSignal): OpenStream {
    const stream: OpenStream = {
      controller: new AbortController(),
      reported: Object.assign(Object.create(null), known),
      unread: { v: 1, changed: {} },
      answered: false,
      cancelSilence: () => {},
    }
    open = stream
    watchSilence(stream)
    const firstLine = setTimeout(() => {
      if (stream.answered) return
      fallBack()
      close(stream)
      // The held call waiting now long-polls instead.
      const call = stream.call
      stream.call = undefined
      if (call && !signal.aborted) inner.sync(request, signal).then(call.resolve, call.reject)
    }, FIRST_LINE_MS)
    readStream(options, { v: 1, known }, stream.controller.signal, (response) => {
      if (open === stream) receive(stream, response)
    }).then(
      () => {
        // The server ended the stream (its maxStream): the held call gets what arrived, the next one reopens.
        clearTimeout(firstLine)
        if (open !== stream) return
        close(stream)
        if (stream.call) deliver(stream, stream.call)
      },
      (error) => {
        // Closed before its first line (replaced, or the store stopped): that says nothing about proxies.
        clearTimeout(firstLine)
        if (open === stream) fail(stream, error)
      },
    )
    return stream
  }

  return {
    sync(request, signal) {
      // Quick checks, and a second held part of a split request (more keys than one request carries), long-poll.
      if (request.wait === undefined || fellBack || open?.call) return inner.sync(request, signal)
      return new Promise<SyncResponse>((resolve, reject) => {
        clearTimeout(cancelClose)
        if (open && !covers(open, request.known)) close(open)
        const stream = open ?? openStream(request.known, request, signal)
        const call: HeldCall = {
          resolve(response) {
            finish()
            resolve(response)
          },
          reject(error) {
            finish()
            reject(error)
          },
        }
        const wait = setTimeout(() => {
          if (stream.call === call) deliver(stream, call)
        }, request.wait)
        const abort = () => {
          if (stream.call === call) stream.call = undefined
          call.reject(signal.reason)
          // A held call replaced by the next one keeps the stream; one that is not followed (stop, hidden) closes it.
          cancelClose = setTimeout(() => close(open))
        }
        const finish = () => {
          clearTimeout(wait)
          signal.removeEventListener('abort', abort)
        }
        signal.addEventListener('abort', abort)
        stream.call = call
        if (!isEmpty(stream.unread)) deliver(stream, call)
      })
    },
  }
}
