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
import { emitResult, ratioCheck, type FigureResult } from '../lib/figure.js'
import { measurePaths, type PathOptions } from '../lib/latency-paths.js'

const CHANGES = Number(process.env.BENCH_CHANGES ?? 1_000)
const WARMUP = 100
const GAP_MS = 3
/** Each path stops collecting after this long, so a slow path cannot stall the whole run. */
const PATH_BUDGET_MS = Number(process.env.BENCH_PATH_BUDGET_MS ?? 30_000)
/** Paths that ran out of budget: name → changes measured. */
const truncated = new Map<string, number>()

const PAYLOAD_STALL_WHY =
  "The payload path is far above the long-poll floor because the store does not re-poll at once after an answer that came back within a second: it waits out the rest of that second (the anti-spin guard in store/sync-scheduler.ts) and counts on the fetches the answer caused to re-poll when they settle. An answer whose changes all carried inline payloads causes no fetch, so the next change waits up to 1 s. What would move it: re-poll at once after an answer that reported changes (the guard is only needed for empty answers that came back early, i.e. a server or proxy that does not hold)."

const options = (name: string): PathOptions => ({ changes: CHANGES, warmup: WARMUP, budgetMs: PATH_BUDGET_MS, onTruncated: (n) => truncated.set(name, n) })

async function main() {
  const stats = await measurePaths('latency', options)
  const ssep50 = stats.get('SSE push')!.p50
  const floor = stats.get('bare long-poll (no Reality)')!.p50
  const payloadP50 = stats.get('Reality long-poll + inline payload')!.p50
  const fetcherP50 = stats.get('Reality long-poll + fetcher')!.p50
  const streamPayloadP50 = stats.get('Reality stream + inline payload')!.p50
  const streamFetcherP50 = stats.get('Reality stream + fetcher')!.p50
  const result: FigureResult = {
    id: 2,
    title: 'Change → data latency',
    columns: ['Path', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'p50 vs SSE', 'samples'],
    rows: [...stats].map(([name, s]) => [name, s.p50.toFixed(3), s.p90.toFixed(3), s.p99.toFixed(3), s.max.toFixed(2), `${(s.p50 / ssep50).toFixed(2)}×`, s.n]),
    checks: [
      ratioCheck('stream + inline payload p50 / SSE p50', streamPayloadP50, ssep50, '≤', 1.2,
        `The streamed line travels like an SSE event, but the store then parses it as a sync answer, validates it and applies it through the node (signals, subscribers): ${streamPayloadP50.toFixed(3)} ms against ${ssep50.toFixed(3)} ms for the bare SSE client that only parses JSON. What would move it: a cheaper apply path in the store (it is the part above SSE here).`),
      ratioCheck('stream + fetcher p50 / SSE p50', streamFetcherP50, ssep50, '≤', 2.5,
        `Each change costs the pushed line plus the app's own GET through the fetcher: ${streamFetcherP50.toFixed(3)} ms ≈ SSE ${ssep50.toFixed(3)} ms + one GET on undici. What would move it: inline payloads for small hot keys, or HTTP/2 reuse in browsers.`),
      ratioCheck('long-poll + inline payload p50 / SSE p50', payloadP50, ssep50, '≤', 1.2, payloadP50 > 3 * floor ? PAYLOAD_STALL_WHY :
        `What limits it is long-polling itself with Node's fetch: the bare long-poll floor (no Reality at all) is ${(floor / ssep50).toFixed(2)}× SSE here, and Reality's payload path is ${(payloadP50 / floor).toFixed(2)}× that floor. Each change costs a whole HTTP response parsed by undici and a re-sent poll, where SSE writes a few bytes into a stream that is already open. Reality's own overhead is only the part above the floor; to get under 1.2× SSE, latency-critical keys need a push trigger (live: 'events' with store.sync() called from an SSE/WebSocket message), or a client whose HTTP stack costs less per response than undici (browsers with HTTP/2 are expected to be closer, not measured here).`),
      ratioCheck('long-poll + fetcher p50 / SSE p50', fetcherP50, ssep50, '≤', 2.5,
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
