/**
 * Figure 10: bursts. One key changes RATE times a second for BURST_MS; every
 * contender's client counts the distinct values it received (delivered
 * updates per second), how long after the last change it held the final
 * value, and the sync requests it sent meanwhile. Push channels deliver
 * every value; Reality delivers the latest value at whatever pace its path
 * allows (intermediate values may be skipped, the final one never is).
 */
import WebSocket from 'ws'
import { BENCH_KEY, nowMicros, type BenchItem } from '../lib/change-data.js'
import { emitResult, ratioCheck, type FigureResult } from '../lib/figure.js'
import { startServerProcess, type ServerProcess } from '../lib/server-process.js'
import { openEventStream } from '../lib/sse-client.js'
import { benchStore, type BenchLive } from '../lib/reality-client.js'

const RATE = 200
const BURST_MS = 5_000
const FINAL_TIMEOUT_MS = 10_000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface BurstResult {
  sent: number
  delivered: number
  finalLatencyMs: number
  requests: number | undefined
  fetches: number | undefined
}

/** Collects what a client received: distinct sequence numbers and when the last one arrived. */
function collector() {
  const seen = new Set<number>()
  let lastArrival: { seq: number; latencyMs: number } | undefined
  return {
    deliver(item: BenchItem) {
      if (seen.has(item.seq)) return
      seen.add(item.seq)
      lastArrival = { seq: item.seq, latencyMs: (nowMicros() - item.stamp) / 1000 }
    },
    get count() {
      return seen.size
    },
    has: (seq: number) => seen.has(seq),
    latencyOf: (seq: number) => (lastArrival?.seq === seq ? lastArrival.latencyMs : NaN),
  }
}

/** Sends RATE changes a second for BURST_MS, then waits for the final value. */
async function burst(server: ServerProcess, received: ReturnType<typeof collector>, firstSeq: number): Promise<Omit<BurstResult, 'requests' | 'fetches'>> {
  const before = received.count
  let seq = firstSeq
  const started = performance.now()
  for (let elapsed = 0; elapsed < BURST_MS; elapsed = performance.now() - started) {
    // Catch up on a late timer: RATE per second on average, whatever the load.
    const due = firstSeq + Math.min(Math.floor((elapsed * RATE) / 1000) + 1, (BURST_MS * RATE) / 1000)
    while (seq < due) server.notify('change', { seq: ++seq })
    await sleep(1000 / RATE)
  }
  const last = seq
  const deadline = performance.now() + FINAL_TIMEOUT_MS
  while (!received.has(last)) {
    if (performance.now() > deadline) throw new Error(`the final value (change ${last}) did not arrive within ${FINAL_TIMEOUT_MS} ms`)
    await sleep(2)
  }
  return { sent: last - firstSeq, delivered: received.count - before, finalLatencyMs: received.latencyOf(last) }
}

async function sse(): Promise<BurstResult> {
  const server = await startServerProcess('bench/baselines/sse-server.ts')
  const received = collector()
  const abort = new AbortController()
  try {
    await openEventStream(`http://127.0.0.1:${server.port}/events`, (data) => received.deliver(JSON.parse(data)), abort.signal)
    while ((await server.command<number>('clients')) < 1) await sleep(5)
    return { ...(await burst(server, received, 0)), requests: 0, fetches: undefined }
  } finally {
    abort.abort()
    await server.stop()
  }
}

async function ws(): Promise<BurstResult> {
  const server = await startServerProcess('bench/baselines/ws-server.ts')
  const received = collector()
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/`)
  try {
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
    socket.on('message', (data) => received.deliver(JSON.parse(String(data))))
    return { ...(await burst(server, received, 0)), requests: 0, fetches: undefined }
  } finally {
    socket.close()
    await server.stop()
  }
}

async function reality(payload: boolean, live: BenchLive): Promise<BurstResult> {
  const server = await startServerProcess('bench/servers/reality-server.ts', { PAYLOAD: payload ? '1' : '0' })
  const base = `http://127.0.0.1:${server.port}`
  const store = benchStore(`${base}/reality/sync`, live)
  const received = collector()
  const handle = store.node<BenchItem>(BENCH_KEY, {
    fetcher: async (key, { signal }) => (await fetch(`${base}/data/${encodeURIComponent(key)}`, { signal })).json() as Promise<BenchItem>,
  })
  const off = handle.subscribe((state) => state.data && received.deliver(state.data))
  try {
    while (!received.has(0) || store.status.get() !== 'live') await sleep(5)
    await sleep(200) // the first quick check is answered; the held poll or stream is open
    const before = await server.command<{ sync: number; data: number }>('requests')
    const result = await burst(server, received, 0)
    const after = await server.command<{ sync: number; data: number }>('requests')
    return { ...result, requests: after.sync - before.sync, fetches: after.data - before.data }
  } finally {
    off()
    store.destroy()
    await server.stop()
  }
}

async function main() {
  const runs: [string, () => Promise<BurstResult>][] = [
    ['SSE push', sse],
    ['WebSocket push (ws)', ws],
    ['Reality long-poll + inline payload', () => reality(true, 'long-poll')],
    ['Reality long-poll + fetcher', () => reality(false, 'long-poll')],
    ['Reality stream + inline payload', () => reality(true, 'stream')],
    ['Reality stream + fetcher', () => reality(false, 'stream')],
  ]
  const results = new Map<string, BurstResult>()
  for (const [name, measure] of runs) {
    results.set(name, await measure())
    const r = results.get(name)!
    process.stderr.write(`bursts: ${name}: ${r.delivered}/${r.sent} delivered, final ${r.finalLatencyMs.toFixed(2)} ms, ${r.requests ?? '–'} requests\n`)
  }
  const perSecond = (r: BurstResult) => r.delivered / (BURST_MS / 1000)
  const sse_ = results.get('SSE push')!
  const streamPayload = results.get('Reality stream + inline payload')!
  const streamFetcher = results.get('Reality stream + fetcher')!
  const longPoll = results.get('Reality long-poll + inline payload')!
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '–')
  const result: FigureResult = {
    id: 10,
    title: `Bursts: one key changed ${RATE} times a second for ${BURST_MS / 1000} s`,
    columns: ['Client', 'changes sent', 'updates delivered / s', 'final value latency ms', 'sync requests sent', 'fetches'],
    rows: [...results].map(([name, r]) => [name, r.sent, perSecond(r).toFixed(1), r.finalLatencyMs.toFixed(2), r.requests ?? '–', r.fetches ?? '–']),
    checks: [
      ratioCheck('stream + inline payload: sync requests during the burst + the open stream', streamPayload.requests! + 1, 1, '≤', 1,
        'The stream was reopened during the burst: a held version differed from the one reported, which reopens it by design (ARCHITECTURE.md C2).'),
      ratioCheck('stream + fetcher: sync requests during the burst + the open stream', streamFetcher.requests! + 1, 1, '≤', 1,
        'The stream was reopened during the burst: a fetch settled on a version older than the one the stream had reported and the node was idle, which reopens the stream so the server reports the change again (ARCHITECTURE.md C2).'),
    ],
    notes: [
      `A server process changes one key on a timer driven over IPC at ${RATE}/s (catching up if a timer fires late) for ${BURST_MS / 1000} s; the client counts distinct values it held (store subscriber, SSE event, ws message) and the latency of the final value from its server stamp (CLOCK_MONOTONIC). Requests are the sync requests the Reality server received during the burst (the opening request of a stream is not counted: it was already open); fetches are the fetcher's GETs.`,
      'Push channels send every value, so they deliver all of them; Reality sends the current version of a key, so values that change faster than the client can take them are skipped — by design the client never ends on a stale value.',
      'Loopback, 2 shared cores; one client per contender.',
      `Stream vs SSE: updates delivered ${ratio(perSecond(streamPayload), perSecond(sse_))} (inline payload), final value latency ${ratio(streamPayload.finalLatencyMs, sse_.finalLatencyMs)} (inline payload) and ${ratio(streamFetcher.finalLatencyMs, sse_.finalLatencyMs)} (fetcher); long-poll + inline payload sent ${longPoll.requests} sync requests during the burst where the stream sent ${streamPayload.requests}.`,
    ],
  }
  emitResult(result)
}

await main()
process.exit(0)
