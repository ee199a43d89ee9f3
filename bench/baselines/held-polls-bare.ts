/**
 * Baseline for figure 4: the same 10,000 held requests as bench/held-polls.ts,
 * measured the same way (in-process `Request`s with AbortController signals,
 * forced GC), but held by a bare fetch-style long-poll handler: read the
 * JSON body, park a resolver in a Set, answer every parked request when the
 * key changes. No validation, no version store, no per-key index. Prints JSON.
 *
 *   node --expose-gc --import tsx bench/baselines/held-polls-bare.ts
 */
import { summarize } from '../lib/percentiles.js'
import { until } from '../lib/wait.js'

const HELD = Number(process.env.HELD ?? 10_000)
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('Run with --expose-gc.')

let version = 1
const parked = new Set<(body: string) => void>()

async function bareHandler(request: Request): Promise<Response> {
  const { known } = (await request.json()) as { known: Record<string, number> }
  if (known.hot !== version) return Response.json({ v: 1, changed: { hot: { version } } })
  const body = await new Promise<string>((resolve) => {
    const park = (text: string) => {
      request.signal.removeEventListener('abort', onAbort)
      resolve(text)
    }
    const onAbort = () => (parked.delete(park), resolve('{"v":1,"changed":{}}'))
    parked.add(park)
    request.signal.addEventListener('abort', onAbort, { once: true })
  })
  return new Response(body, { headers: { 'content-type': 'application/json' } })
}

function change() {
  version++
  const body = JSON.stringify({ v: 1, changed: { hot: { version } } })
  const waiting = [...parked]
  parked.clear()
  for (const park of waiting) park(body)
}

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc!()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return process.memoryUsage().heapUsed
}

function makeRequest(i: number, signal: AbortSignal): Request {
  return new Request('http://127.0.0.1/poll', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ v: 1, known: { hot: version, [`user:${i}`]: 0 }, wait: 100_000 }),
    signal,
  })
}

for (let i = 0; i < 200; i++) {
  const controller = new AbortController()
  const pending = bareHandler(makeRequest(i, controller.signal))
  await until(() => parked.size > 0, 'warm-up hold')
  controller.abort()
  await pending
}

const heapBefore = await settledHeap()
const controllers = Array.from({ length: HELD }, () => new AbortController())
const requests = controllers.map((controller, i) => makeRequest(i, controller.signal))
const heapWithRequests = await settledHeap()
const woken: number[] = []
let wakeStart = 0
const answers = requests.map((request) => bareHandler(request).then((response) => (woken.push(performance.now() - wakeStart), response)))
await until(() => parked.size === HELD, `${HELD} parked requests`, 30_000)
const heapHeld = await settledHeap()
wakeStart = performance.now()
change()
const responses = await Promise.all(answers)
const allAnsweredMs = performance.now() - wakeStart
for (const response of responses) if (((await response.json()) as { changed: { hot?: { version: number } } }).changed.hot?.version !== version) throw new Error('a holder missed the change')
const wake = summarize(woken)
console.log(JSON.stringify({
  figure: 'held-polls-bare',
  held: HELD,
  heapBytesPerHeld: { handler: Math.round((heapHeld - heapWithRequests) / HELD), includingRequest: Math.round((heapHeld - heapBefore) / HELD) },
  wake: { allAnsweredMs, p50Ms: wake.p50, p99Ms: wake.p99 },
}))
void controllers
process.exit(0)
