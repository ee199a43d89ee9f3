/**
 * Adapters from the JSON the server benches print (`bench/server-throughput.ts`,
 * `bench/held-polls.ts`) to report figures, so the runner can include their
 * figures next to its own. The JSON shapes are read defensively: a field that
 * is missing becomes a clear error, never a silent zero.
 */
import { ratioCheck, type FigureResult } from './figure.js'

function need(json: unknown, path: string): number {
  let value: unknown = json
  for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part]
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`the bench JSON has no number at "${path}"`)
  return value
}

/** What `bench/server-throughput.ts` prints (the fields used here). */
interface ThroughputJson {
  realityRps: number
  bareRps: number
  cpuMicrosPerRequest?: { reality: number; bare: number }
  latencyP99Ms?: { reality: number[]; bare: number[] }
  settings?: { seconds?: number; rounds?: number; connections?: number }
}

const median = (list: number[] | undefined) => {
  if (!list?.length) return ''
  const sorted = [...list].sort((a, b) => a - b)
  return sorted[(sorted.length - 1) >> 1]!
}

/**
 * Adds Node's row (from `server-throughput.ts`) to figure 3, in front of the
 * Bun and Deno rows.
 *
 * @example
 * addNodeThroughput(figure3, JSON.parse(stdout))
 */
export function addNodeThroughput(figure: FigureResult, json: unknown): void {
  const realityRps = need(json, 'realityRps')
  const bareRps = need(json, 'bareRps')
  const { cpuMicrosPerRequest: cpu, latencyP99Ms: p99, settings: s } = json as ThroughputJson
  figure.rows.unshift([
    'node (node:http + toNodeHandler)',
    Math.round(realityRps),
    Math.round(bareRps),
    `${(realityRps / bareRps).toFixed(2)}×`,
    cpu ? cpu.reality.toFixed(1) : '',
    cpu ? cpu.bare.toFixed(1) : '',
    cpu ? `${(cpu.bare / cpu.reality).toFixed(2)}×` : '',
    median(p99?.reality),
    median(p99?.bare),
    0, // server-throughput.ts throws on any error or non-2xx answer
  ])
  const why = cpu
    ? `Server CPU per sync is ${cpu.reality.toFixed(1)} µs against ${cpu.bare.toFixed(1)} µs for a node:http handler that writes constant bytes: Reality parses and checks 100 keys, reads their versions and serializes the answer on every request. On this 2-core machine autocannon competes with the server, so req/s ratios drift between runs; the CPU ratio is the steadier of the two.`
    : undefined
  if (cpu) figure.checks.unshift(ratioCheck("node: bare server CPU per request / Reality's (throughput the server alone allows)", cpu.bare, cpu.reality, '≥', 0.6, why))
  figure.checks.unshift(ratioCheck('node: Reality req/s / bare node:http req/s', realityRps, bareRps, '≥', 0.6, why))
  figure.charts?.[0]?.bars.unshift({ group: 'node', series: 'Reality', value: realityRps }, { group: 'node', series: 'bare', value: bareRps })
  figure.notes.unshift(
    `Node row from bench/server-throughput.ts (the server helper's bench): both servers in their own processes, ${s?.rounds ?? '?'} alternating rounds of ${s?.seconds ?? '?'} s (medians), ${s?.connections ?? '?'} connections; bare = a node:http handler writing the same bytes.`,
  )
}

/** What `bench/held-polls.ts` prints (the fields used here). */
interface HeldPollsJson {
  held: number
  heapBytesPerHeld: { reality: number; includingRequest: number }
  wakeAllAfterOneInvalidate: { p50Ms: number; p99Ms: number; allAnsweredMs: number; invalidateReturnedMs?: number }
  statsWhileHeld?: Record<string, number>
  /** The same over loopback HTTP (node:http + toNodeHandler), when the bench ran it. */
  /** Set when the figure came from the bench's own fallback script. */
  source?: string
  overHttp?: { held: number; failures: number; heapBytesPerHeld: number; wakeAllAfterOneInvalidate: { p50Ms: number; p99Ms: number; allAnsweredMs: number } }
  /** Heap per held request by key count (every holder watching the same keys), from bench/lib/held-memory.ts. */
  byKeys?: { holders: number; keys: number; bytesPerHeld: number }[]
}

/** Issue 10's budget for a held request watching `keys` shared keys: 2 KB + 40 B per key beyond the first. */
function keyBudget(keys: number): number {
  return keys <= 1 ? 2048 : 2048 + 40 * keys
}

/** What `bench/baselines/held-polls-bare.ts` prints. */
interface BareHeldJson {
  heapBytesPerHeld: { handler: number; includingRequest: number }
  wake: { p50Ms: number; p99Ms: number; allAnsweredMs: number }
}

/**
 * Figure 4 from the server helper's held-polls bench and the bare baseline.
 *
 * @example
 * heldPollsFigure(JSON.parse(realityStdout), JSON.parse(bareStdout))
 */
export function heldPollsFigure(realityJson: unknown, bareJson: unknown): FigureResult {
  for (const path of ['held', 'heapBytesPerHeld.reality', 'heapBytesPerHeld.includingRequest', 'wakeAllAfterOneInvalidate.p50Ms', 'wakeAllAfterOneInvalidate.p99Ms']) need(realityJson, path)
  for (const path of ['heapBytesPerHeld.handler', 'wake.p50Ms', 'wake.p99Ms']) need(bareJson, path)
  const r = realityJson as HeldPollsJson
  const b = bareJson as BareHeldJson
  const w = r.wakeAllAfterOneInvalidate
  const http = r.overHttp
  const httpRows: (string | number)[][] = http
    ? [
        [`over loopback HTTP (${http.held.toLocaleString('en')} sockets, ${http.failures} failures): heap per held request, socket and node:http objects included (bytes)`, http.heapBytesPerHeld, '', ''],
        ['… wake every holder: p50 / p99 / all answered (ms)', `${http.wakeAllAfterOneInvalidate.p50Ms.toFixed(1)} / ${http.wakeAllAfterOneInvalidate.p99Ms.toFixed(1)} / ${http.wakeAllAfterOneInvalidate.allAnsweredMs.toFixed(1)}`, '', ''],
      ]
    : []
  return {
    id: 4,
    title: `Held long-polls (${r.held.toLocaleString('en')} on one process)`,
    columns: ['Measure', 'Reality', 'bare long-poll handler', 'Reality / bare'],
    rows: [
      ['heap per held request, beyond the Request object (bytes)', r.heapBytesPerHeld.reality, b.heapBytesPerHeld.handler, `${(r.heapBytesPerHeld.reality / b.heapBytesPerHeld.handler).toFixed(2)}×`],
      ['heap per held request, Request included (bytes)', r.heapBytesPerHeld.includingRequest, b.heapBytesPerHeld.includingRequest, `${(r.heapBytesPerHeld.includingRequest / b.heapBytesPerHeld.includingRequest).toFixed(2)}×`],
      ['wake every holder of one key: p50 (ms)', w.p50Ms.toFixed(1), b.wake.p50Ms.toFixed(1), `${(w.p50Ms / b.wake.p50Ms).toFixed(2)}×`],
      ['… p99 (ms)', w.p99Ms.toFixed(1), b.wake.p99Ms.toFixed(1), `${(w.p99Ms / b.wake.p99Ms).toFixed(2)}×`],
      ['… until all answered (ms)', w.allAnsweredMs.toFixed(1), b.wake.allAnsweredMs.toFixed(1), `${(w.allAnsweredMs / b.wake.allAnsweredMs).toFixed(2)}×`],
      ...httpRows,
      ...(r.byKeys ?? []).map((m) => [`heap per held request watching ${m.keys.toLocaleString('en')} shared key${m.keys === 1 ? '' : 's'} (${m.holders.toLocaleString('en')} held), beyond the Request (bytes)`, m.bytesPerHeld, `budget ${keyBudget(m.keys).toLocaleString('en')}`, '']),
    ],
    checks: [
      {
        label: 'heap per held request beyond the Request / 2 KB budget',
        ratio: r.heapBytesPerHeld.reality / 2048,
        target: '≤ 1×',
        pass: r.heapBytesPerHeld.reality <= 2048,
        why: `A held request keeps, beyond its Request: the parsed body, a Hold with its own setTimeout and abort listeners on two signals, an entry per watched key in the waiter index and the handler's suspended async frames — ${r.heapBytesPerHeld.reality} B here against ${b.heapBytesPerHeld.handler} B for a bare handler that parks one resolver. What would move it: one timer wheel (or one sorted deadline list) instead of a setTimeout per hold, keeping only the watched keys' versions instead of the parsed body, and fewer promise layers between the handler and the hold.`,
      },
      ...(r.byKeys ?? []).map((m) => ({
        label: `heap per held request, ${m.keys.toLocaleString('en')} shared key${m.keys === 1 ? '' : 's'} / ${keyBudget(m.keys).toLocaleString('en')} B budget`,
        ratio: m.bytesPerHeld / keyBudget(m.keys),
        target: '≤ 1×',
        pass: m.bytesPerHeld <= keyBudget(m.keys),
        why: 'Holders that watch the same keys at the same versions share one watch group (interned keys, versions as unboxed doubles), so a hold costs about the same whatever its key count; what remains is the Hold, its entry in the deadline wheel, its abort listener and the handler\'s suspended frames and promises. Holders with versions of their own each get a group: about 16 B per key plus the per-key index entry.',
      })),
      ratioCheck('wake p99 / bare handler wake p99', w.p99Ms, b.wake.p99Ms, '≤', 2,
        'Each woken holder re-reads its versions and serializes its own answer; the bare handler serializes once and resolves every holder. What would move it: share one version read and one serialized answer among holders woken by the same change that hold the same versions (the common case: everyone watching a hot key).'),
    ],
    notes: [
      (r.source
        ? `Reality column from ${r.source} (this bench's fallback, because bench/held-polls.ts did not run; same method):`
        : "Reality column from bench/held-polls.ts (the server helper's bench):") +
        ' in-process `Request`s with AbortController signals through `server.handler`, each watching one shared key and one own key; heap after forced GC (--expose-gc). "Beyond the Request" is what holding adds on top of the Request a fetch runtime already holds (no socket here, so nothing of the socket is counted).',
      'Bare column from bench/baselines/held-polls-bare.ts: the same requests and measurement, held by a minimal fetch-style handler (JSON body read, a resolver parked in a Set, one Response per holder on change) — the floor any long-poll pays in this runtime.',
      'Wake time: from the `invalidate()` call to each holder\'s Response; all holders are answered in one burst, so p50 ≈ p99. The 2× wake target is this report\'s own yardstick (issue 5 sets none); the 2 KB heap budget is the issue\'s.',
      ...(http ? ['The loopback HTTP rows (no bare counterpart) come from the same bench: 10,000 real connections to node:http + toNodeHandler in a child process; their heap includes what Node keeps per socket and request, which the 2 KB budget excludes ("beyond the socket").'] : []),
      ...(r.statsWhileHeld ? [`Server diagnostics while held: ${JSON.stringify(r.statsWhileHeld)} (one version-store subscription for all holders).`] : []),
    ],
  }
}
