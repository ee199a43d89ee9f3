/**
 * Fallback for figure 4 when bench/held-polls.ts (the server helper's) does
 * not run: the same measurement, printed in the same JSON shape. 10,000
 * in-process `Request`s with AbortController signals held by
 * `server.handler`, each watching one shared key and one own key (both
 * written first, so every request is held); heap after forced GC; the time
 * from one `invalidate()` of the shared key to each holder's answer.
 *
 *   node --expose-gc --import tsx bench/figures/held-polls-reality.ts
 */
import { createRealityServer } from '../../server/index.js'
import { summarize } from '../lib/percentiles.js'
import { until } from '../lib/wait.js'

const HELD = Number(process.env.HELD ?? 10_000)
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('Run with --expose-gc.')

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc!()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return process.memoryUsage().heapUsed
}

const server = createRealityServer({ maxWait: 120_000 })
const own = Array.from({ length: HELD }, (_, i) => `user:${i}`)
const versions = await server.invalidate(['hot', ...own])
const makeRequest = (i: number, signal: AbortSignal) =>
  new Request('http://127.0.0.1/reality/sync', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ v: 1, known: { hot: versions.hot, [own[i]!]: versions[own[i]!] }, wait: 100_000 }),
    signal,
  })

// Warm the code paths before measuring.
for (let i = 0; i < 200; i++) {
  const controller = new AbortController()
  const pending = server.handler(makeRequest(i, controller.signal))
  await until(() => server.stats().held === 1, 'a warm-up hold')
  controller.abort()
  await pending
}

const heapBefore = await settledHeap()
const controllers = Array.from({ length: HELD }, () => new AbortController())
const requests = controllers.map((controller, i) => makeRequest(i, controller.signal))
const heapWithRequests = await settledHeap()
const woken: number[] = []
let wakeStart = 0
const answers = requests.map((request) => server.handler(request).then((response) => (woken.push(performance.now() - wakeStart), response)))
await until(() => server.stats().waiters === HELD, `${HELD} held requests`, 30_000)
const heapHeld = await settledHeap()
const statsWhileHeld = server.stats()
wakeStart = performance.now()
const { hot } = await server.invalidate('hot')
const responses = await Promise.all(answers)
const allAnsweredMs = performance.now() - wakeStart
for (const response of responses) {
  if (((await response.json()) as { changed: { hot?: { version: number } } }).changed.hot?.version !== hot) throw new Error('A holder missed the change.')
}
const wake = summarize(woken)
console.log(JSON.stringify({
  figure: 'held-polls',
  source: 'bench/figures/held-polls-reality.ts',
  held: HELD,
  heapBytesPerHeld: { reality: Math.round((heapHeld - heapWithRequests) / HELD), includingRequest: Math.round((heapHeld - heapBefore) / HELD) },
  statsWhileHeld,
  wakeAllAfterOneInvalidate: { p50Ms: wake.p50, p99Ms: wake.p99, allAnsweredMs },
}))
void controllers
process.exit(0)
