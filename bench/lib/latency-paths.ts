/**
 * The change → data paths the latency figures measure, each against its own
 * server process: SSE push, WebSocket push, a bare long-poll, and Reality
 * (long-poll or stream, inline payload or fetcher). A change is triggered
 * over IPC and stamped in the server with CLOCK_MONOTONIC; a sample ends
 * when the client holds the data. With `delayMs`, every byte between client
 * and server goes through a user-space delay proxy (`delay-proxy.ts`).
 */
import WebSocket from 'ws'
import { BENCH_KEY, nowMicros, type BenchItem } from './change-data.js'
import { startDelayProxy } from './delay-proxy.js'
import { startServerProcess, type ServerProcess } from './server-process.js'
import { openEventStream } from './sse-client.js'
import { benchStore, type BenchLive } from './reality-client.js'
import { summarize, type Summary } from './percentiles.js'

/** How a path is driven. */
export interface PathOptions {
  /** Measured changes (after warm-up). */
  changes: number
  /** Warm-up changes (at most 3 s of them). */
  warmup: number
  /** A path stops collecting after this long. */
  budgetMs: number
  /** Delay each way through a TCP proxy, ms; 0 or absent: straight to the server. */
  delayMs?: number
  /** Called when a path ran out of budget with `n` measured changes. */
  onTruncated?(n: number): void
}

/** A latency path: latencies (ms) of the measured changes. */
export type LatencyPath = (options: PathOptions) => Promise<number[]>

const GAP_MS = 3
const TIMEOUT_MS = 5_000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Something that receives items; `next(seq)` resolves with latency (µs) when item `seq` arrives. */
interface Receiver {
  next(seq: number): Promise<number>
  deliver(item: BenchItem): void
}

function receiver(): Receiver {
  let waiting: { seq: number; resolve: (us: number) => void } | undefined
  return {
    next(seq) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`change ${seq} did not arrive within ${TIMEOUT_MS} ms`)), TIMEOUT_MS)
        waiting = { seq, resolve: (us) => (clearTimeout(timer), resolve(us)) }
      })
    },
    deliver(item) {
      const at = nowMicros()
      if (waiting && item.seq === waiting.seq) {
        const w = waiting
        waiting = undefined
        w.resolve(at - item.stamp)
      }
    },
  }
}

async function drive(rx: Receiver, server: ServerProcess, options: PathOptions): Promise<number[]> {
  const samples: number[] = []
  const started = performance.now()
  let measuring = false
  for (let seq = 1; samples.length < options.changes; seq++) {
    if (performance.now() - started > options.budgetMs && samples.length) {
      options.onTruncated?.(samples.length)
      break
    }
    measuring ||= seq > options.warmup || performance.now() - started > 3_000
    await sleep(GAP_MS + Math.random() * 2)
    const arrived = rx.next(seq)
    server.notify('change', { seq })
    const us = await arrived
    if (measuring) samples.push(us / 1000)
  }
  return samples
}

/** The port clients use: the server's, or a delay proxy's in front of it. */
async function clientPort(server: ServerProcess, options: PathOptions): Promise<{ port: number; close(): Promise<void> }> {
  if (!options.delayMs) return { port: server.port, close: async () => {} }
  return startDelayProxy(server.port, options.delayMs)
}

/**
 * Reality through `createStore` in `live` mode (`'stream'`: the `reality/stream` transport), with
 * the inline payload or the fetcher (a GET to the same server).
 *
 * @example
 * const samples = await realityPath({ payload: true, live: 'stream' })({ changes: 500, warmup: 50, budgetMs: 30_000 })
 */
export function realityPath(variant: { payload: boolean; live: BenchLive }): LatencyPath {
  return async (options) => {
    const server = await startServerProcess('bench/servers/reality-server.ts', { PAYLOAD: variant.payload ? '1' : '0' })
    const proxy = await clientPort(server, options)
    const base = `http://127.0.0.1:${proxy.port}`
    const store = benchStore(`${base}/reality/sync`, variant.live)
    const rx = receiver()
    const handle = store.node<BenchItem>(BENCH_KEY, {
      fetcher: async (key, { signal }) => (await fetch(`${base}/data/${encodeURIComponent(key)}`, { signal })).json() as Promise<BenchItem>,
    })
    const ready = rx.next(0)
    const off = handle.subscribe((state) => state.data && rx.deliver(state.data))
    try {
      await ready
      const samples = await drive(rx, server, options)
      const { data } = await server.command<{ sync: number; data: number }>('requests')
      if (variant.payload && data > 0) throw new Error(`inline payload run fetched ${data} times: payloads were not adopted`)
      return samples
    } finally {
      off()
      store.destroy()
      await proxy.close()
      await server.stop()
    }
  }
}

/**
 * An SSE push server read through fetch (Node 20 has no EventSource).
 *
 * @example
 * const samples = await ssePath({ changes: 500, warmup: 50, budgetMs: 30_000 })
 */
export const ssePath: LatencyPath = async (options) => {
  const server = await startServerProcess('bench/baselines/sse-server.ts')
  const proxy = await clientPort(server, options)
  const rx = receiver()
  const abort = new AbortController()
  try {
    await openEventStream(`http://127.0.0.1:${proxy.port}/events`, (data) => rx.deliver(JSON.parse(data)), abort.signal)
    while ((await server.command<number>('clients')) < 1) await sleep(5)
    return await drive(rx, server, options)
  } finally {
    abort.abort()
    await proxy.close()
    await server.stop()
  }
}

/**
 * A `ws` WebSocket push server.
 *
 * @example
 * const samples = await wsPath({ changes: 500, warmup: 50, budgetMs: 30_000 })
 */
export const wsPath: LatencyPath = async (options) => {
  const server = await startServerProcess('bench/baselines/ws-server.ts')
  const proxy = await clientPort(server, options)
  const rx = receiver()
  const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}/`)
  try {
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
    socket.on('message', (data) => rx.deliver(JSON.parse(String(data))))
    return await drive(rx, server, options)
  } finally {
    socket.close()
    await proxy.close()
    await server.stop()
  }
}

/**
 * The floor of long-polling: a bare held POST answered with the item, re-sent at once, through fetch.
 *
 * @example
 * const samples = await longPollPath({ changes: 500, warmup: 50, budgetMs: 30_000 })
 */
export const longPollPath: LatencyPath = async (options) => {
  const server = await startServerProcess('bench/baselines/long-poll-server.ts')
  const proxy = await clientPort(server, options)
  const rx = receiver()
  const abort = new AbortController()
  let after = 0
  const loop = async () => {
    while (!abort.signal.aborted) {
      const response = await fetch(`http://127.0.0.1:${proxy.port}/poll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ after }), signal: abort.signal })
      const item = (await response.json()) as BenchItem
      after = item.seq
      rx.deliver(item)
    }
  }
  const running = loop().catch((error) => {
    if (!abort.signal.aborted) throw error
  })
  try {
    while ((await server.command<number>('waiting')) < 1) await sleep(5)
    return await drive(rx, server, options)
  } finally {
    abort.abort()
    await running
    await proxy.close()
    await server.stop()
  }
}

/** Every contender of figures 2 and 9, by the name the report shows, in the order they run (each once: no baseline first and last). */
export const LATENCY_PATHS: readonly (readonly [string, LatencyPath])[] = [
  ['SSE push', ssePath],
  ['WebSocket push (ws)', wsPath],
  ['bare long-poll (no Reality)', longPollPath],
  ['Reality long-poll + inline payload', realityPath({ payload: true, live: 'long-poll' })],
  ['Reality long-poll + fetcher', realityPath({ payload: false, live: 'long-poll' })],
  ['Reality stream + inline payload', realityPath({ payload: true, live: 'stream' })],
  ['Reality stream + fetcher', realityPath({ payload: false, live: 'stream' })],
]

/**
 * Runs every contender with the figure's options and summarizes its samples, logging each p50.
 *
 * @example
 * const stats = await measurePaths('latency', (name) => ({ changes: 1000, warmup: 100, budgetMs: 30_000, onTruncated: (n) => truncated.set(name, n) }))
 */
export async function measurePaths(figure: string, optionsFor: (name: string) => PathOptions): Promise<Map<string, Summary>> {
  const stats = new Map<string, Summary>()
  for (const [name, path] of LATENCY_PATHS) {
    const summary = summarize(await path(optionsFor(name)))
    stats.set(name, summary)
    process.stderr.write(`${figure}: ${name} p50 ${summary.p50.toFixed(3)} ms\n`)
  }
  return stats
}
