/**
 * Heap per held request by key count (figure 4's key rows): `holders`
 * in-process requests through `server.handler`, each watching the same
 * `keys` never-written keys at the floor version (so every one is held),
 * heap after forced GC, beyond the `Request` objects themselves. Needs
 * --expose-gc.
 */
import { createRealityServer } from '../../server/index.js'
import { until } from './wait.js'

/**
 * What {@link heapPerHeldRequest} measured.
 *
 * @example
 * const { bytesPerHeld } = await heapPerHeldRequest(1000, 1000)
 */
export interface HeldMemory {
  holders: number
  keys: number
  /** Heap bytes per held request beyond its Request. */
  bytesPerHeld: number
}

async function settledHeap(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('Run with --expose-gc.')
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return process.memoryUsage().heapUsed
}

/**
 * Holds `holders` requests that each watch the same `keys` keys, measures,
 * then releases them all (the server ends with every counter at zero).
 *
 * @example
 * await heapPerHeldRequest(10_000, 1) // { holders: 10000, keys: 1, bytesPerHeld: … }
 */
export async function heapPerHeldRequest(holders: number, keys: number): Promise<HeldMemory> {
  const server = createRealityServer({ maxWait: 120_000 })
  const names = Array.from({ length: keys }, (_, i) => `shared:key:${i}`)
  const floor = (await server.getVersions(names[0]!))[names[0]!]!
  const body = JSON.stringify({ v: 1, known: Object.fromEntries(names.map((name) => [name, floor])), wait: 100_000 })
  const makeRequest = (signal: AbortSignal) =>
    new Request('http://127.0.0.1/reality/sync', { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal })
  // Warm the code paths before measuring.
  for (let i = 0; i < 50; i++) {
    const controller = new AbortController()
    const pending = server.handler(makeRequest(controller.signal))
    await until(() => server.stats().held === 1, 'warm-up hold', 10_000)
    controller.abort()
    await pending
  }
  const controllers = Array.from({ length: holders }, () => new AbortController())
  const requests = controllers.map((controller) => makeRequest(controller.signal))
  const heapWithRequests = await settledHeap()
  const answers = requests.map((request) => server.handler(request))
  await until(() => server.stats().held === holders && server.stats().waiters === holders, `${holders} held requests`, 60_000)
  const heapHeld = await settledHeap()
  for (const controller of controllers) controller.abort()
  await Promise.all(answers)
  await until(() => server.stats().held === 0, 'all released', 10_000)
  await server.close()
  return { holders, keys, bytesPerHeld: Math.round((heapHeld - heapWithRequests) / holders) }
}
