/**
 * `reality/stream`: answers over one open NDJSON stream instead of one held
 * long-poll after another. Opt-in, so the core client stays small.
 *
 * @example
 * import { createStore } from 'reality'
 * import { streamTransport } from 'reality/stream'
 * const store = createStore({ transport: streamTransport({ endpoint: '/reality/sync' }) })
 *
 * @packageDocumentation
 */
export { streamTransport, FIRST_LINE_MS, STREAM_SILENCE_MS, type StreamTransportOptions } from './stream-transport.js'
