/**
 * Figure 2: change → data latency on 127.0.0.1. A server process makes a
 * change (stamping CLOCK_MONOTONIC), the client (this process) records when
 * the changed data is in its hands. Four ways to get there:
 * Reality long-poll + fetcher, Reality long-poll + inline payload, an SSE
 * push server and a `ws` push server sending the data.
 *
 * Changes are triggered over IPC, one at a time: the next change comes a few
 * ms after the previous one arrived, so every sample starts from an idle,
 * waiting client (the case a UI is in).
 */
import WebSocket from 'ws'
import { createStore } from '../../store/index.js'
import { BENCH_KEY, nowMicros, type BenchItem } from '../lib/change-data.js'
import { emitResult, ratioCheck, type FigureResult } from '../lib/figure.js'
import { summarize, type Summary } from '../lib/percentiles.js'
import { startServerProcess } from '../lib/server-process.js'
import { openEventStream } from '../lib/sse-client.js'

const CHANGES = Number(process.env.BENCH_CHANGES ?? 1_000)
const WARMUP = 100
const GAP_MS = 3
const TIMEOUT_MS = 5_000
/** Each path stops collecting after this long, so a slow path cannot stall the whole run. */
const PATH_BUDGET_MS = Number(process.env.BENCH_PATH_BUDGET_MS ?? 30_000)
/** Paths that ran out of budget: name → changes measured. */
const truncated = new Map<string, number>()

const PAYLOAD_STALL_WHY =
  "The payload path is far above the long-poll floor because the store does not re-poll at once after an answer that came back within a second: it waits out the rest of that second (the anti-spin guard in store/sync-scheduler.ts) and counts on the fetches the answer caused to re-poll when they settle. An answer whose changes all carried inline payloads causes no fetch, so the next change waits up to 1 s. What would move it: re-poll at once after an answer that reported changes (the guard is only needed for empty answers that came back early, i.e. a server or proxy that does not hold)."
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

/**
 * Runs up to WARMUP warm-up changes (at most 3 s of them), then CHANGES
 * measured ones through `trigger`, within PATH_BUDGET_MS. Latencies in ms.
 */
async function drive(rx: Receiver, trigger: (seq: number) => void, name: string): Promise<number[]> {
  const samples: number[] = []
  const started = performance.now()
  let measuring = false
  for (let seq = 1; samples.length < CHANGES; seq++) {
    if (performance.now() - started > PATH_BUDGET_MS && samples.length) {
      truncated.set(name, samples.length)
      break
    }
    measuring ||= seq > WARMUP || performance.now() - started > 3_000
    await sleep(GAP_MS + Math.random() * 2)
    const arrived = rx.next(seq)
    trigger(seq)
    const us = await arrived
    if (measuring) samples.push(us / 1000)
  }
  return samples
}

async function reality(payload: boolean, name: string): Promise<number[]> {
  const server = await startServerProcess('bench/servers/reality-server.ts', { PAYLOAD: payload ? '1' : '0' })
  const base = `http://127.0.0.1:${server.port}`
  const store = createStore({ endpoint: `${base}/reality/sync` })
  const rx = receiver()
  const handle = store.node<BenchItem>(BENCH_KEY, {
    fetcher: async (key, { signal }) => (await fetch(`${base}/data/${encodeURIComponent(key)}`, { signal })).json() as Promise<BenchItem>,
  })
  const ready = rx.next(0)
  const off = handle.subscribe((state) => state.data && rx.deliver(state.data))
  try {
    await ready
    const samples = await drive(rx, (seq) => server.notify('change', { seq }), name)
    const { data } = await server.command<{ sync: number; data: number }>('requests')
    if (payload && data > 0) throw new Error(`inline payload run fetched ${data} times: payloads were not adopted`)
    return samples
  } finally {
    off()
    store.destroy()
    await server.stop()
  }
}

async function sse(name: string): Promise<number[]> {
  const server = await startServerProcess('bench/baselines/sse-server.ts')
  const rx = receiver()
  const abort = new AbortController()
  try {
    await openEventStream(`http://127.0.0.1:${server.port}/events`, (data) => rx.deliver(JSON.parse(data)), abort.signal)
    while ((await server.command<number>('clients')) < 1) await sleep(5)
    return await drive(rx, (seq) => server.notify('change', { seq }), name)
  } finally {
    abort.abort()
    await server.stop()
  }
}

async function ws(name: string): Promise<number[]> {
  const server = await startServerProcess('bench/baselines/ws-server.ts')
  const rx = receiver()
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/`)
  try {
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
    socket.on('message', (data) => rx.deliver(JSON.parse(String(data))))
    return await drive(rx, (seq) => server.notify('change', { seq }), name)
  } finally {
    socket.close()
    await server.stop()
  }
}

/** The floor of long-polling: a bare held POST answered with the item, re-sent at once, through fetch. */
async function longPoll(name: string): Promise<number[]> {
  const server = await startServerProcess('bench/baselines/long-poll-server.ts')
  const rx = receiver()
  const abort = new AbortController()
  let after = 0
  const loop = async () => {
    while (!abort.signal.aborted) {
      const response = await fetch(`http://127.0.0.1:${server.port}/poll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ after }), signal: abort.signal })
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
    return await drive(rx, (seq) => server.notify('change', { seq }), name)
  } finally {
    abort.abort()
    await running
    await server.stop()
  }
}

async function main() {
  // Baselines first and last would need twice the time; instead every variant runs once, in a fixed order.
  const runs: [string, (name: string) => Promise<number[]>][] = [
    ['SSE push', sse],
    ['WebSocket push (ws)', ws],
    ['bare long-poll (no Reality)', longPoll],
    ['Reality long-poll + inline payload', (name) => reality(true, name)],
    ['Reality long-poll + fetcher', (name) => reality(false, name)],
  ]
  const stats = new Map<string, Summary>()
  for (const [name, run] of runs) {
    stats.set(name, summarize(await run(name)))
    process.stderr.write(`latency: ${name} p50 ${stats.get(name)!.p50.toFixed(3)} ms\n`)
  }
  const ssep50 = stats.get('SSE push')!.p50
  const floor = stats.get('bare long-poll (no Reality)')!.p50
  const payloadP50 = stats.get('Reality long-poll + inline payload')!.p50
  const fetcherP50 = stats.get('Reality long-poll + fetcher')!.p50
  const result: FigureResult = {
    id: 2,
    title: 'Change → data latency',
    columns: ['Path', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'p50 vs SSE', 'samples'],
    rows: [...stats].map(([name, s]) => [name, s.p50.toFixed(3), s.p90.toFixed(3), s.p99.toFixed(3), s.max.toFixed(2), `${(s.p50 / ssep50).toFixed(2)}×`, s.n]),
    checks: [
      ratioCheck('inline payload p50 / SSE p50', payloadP50, ssep50, '≤', 1.2, payloadP50 > 3 * floor ? PAYLOAD_STALL_WHY :
        `What limits it is long-polling itself with Node's fetch: the bare long-poll floor (no Reality at all) is ${(floor / ssep50).toFixed(2)}× SSE here, and Reality's payload path is ${(payloadP50 / floor).toFixed(2)}× that floor. Each change costs a whole HTTP response parsed by undici and a re-sent poll, where SSE writes a few bytes into a stream that is already open. Reality's own overhead is only the part above the floor; to get under 1.2× SSE, latency-critical keys need a push trigger (live: 'events' with store.sync() called from an SSE/WebSocket message), or a client whose HTTP stack costs less per response than undici (browsers with HTTP/2 are expected to be closer, not measured here).`),
      ratioCheck('fetcher p50 / SSE p50', fetcherP50, ssep50, '≤', 2.5,
        `The fetcher path costs two HTTP exchanges per change (the sync answer, then the app's GET) against one pushed frame: ${fetcherP50.toFixed(3)} ms ≈ floor ${floor.toFixed(3)} ms + one GET. What would move it: inline payloads for small hot keys (the payload row), HTTP/2 connection reuse in browsers, or fetchers answered from a cache next to the client.`),
    ],
    notes: [
      `${CHANGES} changes per path after ${WARMUP} warm-up changes (or 3 s of them), one at a time, ${GAP_MS}–${GAP_MS + 2} ms apart; server and client in separate Node processes on 127.0.0.1; the change is triggered over IPC and stamped in the server with process.hrtime (CLOCK_MONOTONIC, shared by both processes), the sample ends when the client holds the data (store subscriber / SSE event parsed / ws message parsed).`,
      'The data is the same ~250-byte JSON item on every path. Reality: `createStore` with its default http transport (Node fetch/undici); the fetcher GETs the item from the same server; the inline payload rides in the sync response (`invalidate(keys, { payload })`). SSE is read through fetch (Node 20 has no EventSource).',
      'The bare long-poll row is not a competitor but the floor of the technique: a minimal node:http server holding a POST and answering it with the item, the client re-sending at once through fetch. The gap between it and SSE is what any long-poll costs here (one HTTP response parsed by fetch per change); the gap between it and Reality is Reality\'s own overhead (handler, version re-read, store).',
      ...[...truncated].map(([name, n]) => `${name}: stopped after ${n} measured changes, when its ${PATH_BUDGET_MS / 1000} s budget ran out (fewer than the ${CHANGES} asked for: this path is slow between changes, see its p50).`),
      'Reality needs one more HTTP exchange than a push: the held request is answered, then (fetcher path) one GET; in a browser, HTTP/2 or HTTP/3 reuse makes those exchanges cheaper than here.',
    ],
    charts: [{
      file: 'latency.svg',
      title: 'Change → data latency on 127.0.0.1 (smaller is better)',
      unit: 'ms',
      scalePerGroup: true,
      bars: [...stats].flatMap(([name, s]) => [
        { group: 'p50', series: name, value: s.p50 },
        { group: 'p99', series: name, value: s.p99 },
      ]),
    }],
  }
  emitResult(result)
}

await main()
process.exit(0)
