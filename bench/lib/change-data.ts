/**
 * The data every latency server sends on a change, identical across Reality
 * and the push baselines: a sequence number, the monotonic time of the change
 * and a ~200-byte body standing in for a chat message.
 */

/** One change as the client receives it. */
export interface BenchItem {
  seq: number
  /** `process.hrtime` in µs when the server made the change. */
  stamp: number
  text: string
}

/** The key every latency/traffic client watches. */
export const BENCH_KEY = 'bench:item'

const FILLER = 'The quick brown fox jumps over the lazy dog. '.repeat(5).slice(0, 200)

/**
 * Monotonic microseconds. `process.hrtime` reads CLOCK_MONOTONIC, which every
 * process on the machine shares, so a server's stamp and a client's clock
 * can be subtracted across processes.
 *
 * @example
 * const t0 = nowMicros()
 */
export function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n)
}

/**
 * The item a server publishes as change number `seq`, stamped now.
 *
 * @example
 * benchItem(1) // { seq: 1, stamp: 123456789, text: 'The quick…' }
 */
export function benchItem(seq: number): BenchItem {
  return { seq, stamp: nowMicros(), text: FILLER }
}

/**
 * A JSON body of about `bytes` bytes (a list of chat messages), for the
 * full-payload polling baselines.
 *
 * @example
 * Buffer.byteLength(JSON.stringify(roomSnapshot(2048))) // ≈ 2048
 */
export function roomSnapshot(bytes: number): { messages: { id: number; author: string; text: string }[] } {
  const messages: { id: number; author: string; text: string }[] = []
  let size = 16
  for (let id = 1; size < bytes; id++) {
    const message = { id, author: `user${id % 7}`, text: FILLER.slice(0, 80) }
    messages.push(message)
    size += JSON.stringify(message).length + 1
  }
  return { messages }
}
