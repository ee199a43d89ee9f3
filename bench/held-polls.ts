/**
 * Held long-polls on one process (issue 2's second closing figure): heap
 * bytes per held request with 10,000 held, and how long one invalidate takes
 * to wake every holder of the key (p50/p99 from the invalidate call to each
 * answer). Requests go in-process through `server.handler`, each with an
 * AbortController signal the script controls — the same `Request` objects a
 * fetch runtime (Bun, Deno, workers) hands the handler.
 *
 * Then the same over loopback HTTP: node:http + toNodeHandler in a child
 * process, HELD real connections from this one; heap per held request there
 * includes Node's own socket, IncomingMessage and ServerResponse.
 *
 *   node --expose-gc --import tsx bench/held-polls.ts   (prints JSON, ~30 s)
 *
 * Env: HELD (default 10000), HTTP_HELD (default HELD; 0 skips the HTTP part).
 */
import { createRealityServer } from '../server/index.js'
import { heldOverHttp } from './lib/held-polls-http.js'
import { heapPerHeldRequest } from './lib/held-memory.js'
import { summarize } from './lib/percentiles.js'
import { until } from './lib/wait.js'

const HELD = Number(process.env.HELD ?? 10_000)
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('Run with --expose-gc: node --expose-gc --import tsx bench/held-polls.ts')

async function settledHeap(): Promise<number> {
  // Several passes with turns of the event loop in between, so finalizers
  // and weak references settle before reading.
  for (let i = 0; i < 4; i++) {
    gc!()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return process.memoryUsage().heapUsed
}

const server = createRealityServer({ maxWait: 120_000 })
const { hot } = await server.invalidate('hot')
// Never-written keys read as the store's floor version: holding it means "up to date".
const floor = (await server.getVersions('user:0'))['user:0']
// Warm the code paths (JIT, lazy allocations) before measuring.
for (let i = 0; i < 200; i++) {
  const controller = new AbortController()
  const pending = server.handler(makeRequest(i, controller.signal))
  controller.abort()
  await pending
}

function makeRequest(i: number, signal: AbortSignal): Request {
  // Each client watches the shared key and one of its own.
  return new Request('http://127.0.0.1/reality/sync', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ v: 1, known: { hot, [`user:${i}`]: floor }, wait: 100_000 }),
    signal,
  })
}

const heapBefore = await settledHeap()
const controllers = Array.from({ length: HELD }, () => new AbortController())
const requests = controllers.map((controller, i) => makeRequest(i, controller.signal))
const heapWithRequests = await settledHeap()

const woken: number[] = []
let wakeStart = 0
// Only the time is taken when an answer arrives; bodies are read after all
// are in, so reading one does not delay the next.
const answers = requests.map((request) =>
  server.handler(request).then((response) => {
    woken.push(performance.now() - wakeStart)
    return response
  }),
)
await until(() => server.stats().waiters === HELD, `${HELD} held requests`, 30_000)
const heapHeld = await settledHeap()
const statsHeld = server.stats()

wakeStart = performance.now()
const { hot: newVersion } = await server.invalidate('hot')
// Woken holders answer in microtasks that run before this await returns.
const invalidateMs = performance.now() - wakeStart
const responses = await Promise.all(answers)
const allWokenMs = performance.now() - wakeStart
for (const response of responses) {
  const body = (await response.json()) as { changed: Record<string, { version: number }> }
  if (body.changed.hot?.version !== newVersion) throw new Error('A holder did not get the new version.')
}
const statsAfter = server.stats()
if (statsAfter.held || statsAfter.timers || statsAfter.waiters || statsAfter.subscriptions || statsAfter.abortListeners) {
  throw new Error(`Resources left after waking: ${JSON.stringify(statsAfter)}`)
}
const wake = summarize(woken)
const round = (n: number) => Number(n.toFixed(3))
const httpHeld = Number(process.env.HTTP_HELD ?? HELD)
const overHttp = httpHeld > 0 ? await heldOverHttp(httpHeld) : undefined
// Issue 10's targets: 1 key, and 1,000 keys shared by every holder.
const byKeys = [await heapPerHeldRequest(HELD, 1), await heapPerHeldRequest(Math.min(HELD, 1000), 1000)]

console.log(
  JSON.stringify(
    {
      figure: 'held-polls',
      held: HELD,
      node: process.version,
      heapBytesPerHeld: {
        // What holding costs the server beyond the Request objects themselves.
        reality: Math.round((heapHeld - heapWithRequests) / HELD),
        // Including each Request (headers, body, signal) as a fetch runtime would hold it.
        includingRequest: Math.round((heapHeld - heapBefore) / HELD),
      },
      heapMiB: { before: round(heapBefore / 2 ** 20), withRequests: round(heapWithRequests / 2 ** 20), held: round(heapHeld / 2 ** 20) },
      statsWhileHeld: statsHeld,
      wakeAllAfterOneInvalidate: {
        invalidateReturnedMs: round(invalidateMs),
        allAnsweredMs: round(allWokenMs),
        p50Ms: round(wake.p50),
        p99Ms: round(wake.p99),
        maxMs: round(wake.max),
      },
      overHttp,
      byKeys,
    },
    null,
    2,
  ),
)
void controllers
process.exit(0)
