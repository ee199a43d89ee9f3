/**
 * The exchange every runtime must serve, over real HTTP: a sync, a held
 * long-poll, an invalidate from another request, and the long-poll waking
 * with exactly the changed key — then the held request's subscription gone.
 */
import { expect } from 'vitest'
import type { VersionStoreCounts } from '../fixture/counting-versions.js'
import { waitFor } from './wait-for.js'

/**
 * What one run of the scenario measured, for the test log.
 *
 * @example
 * const { wakeMs } = await runSyncScenario(origin)
 */
export interface ScenarioTimings {
  /** First sync round trip. */
  syncMs: number
  /** From the invalidate request being sent to the held long-poll answering. */
  wakeMs: number
}

const ENDPOINT = '/reality/sync'
/** Generous bound for conditions; only a hang reaches it. */
const CONDITION_TIMEOUT_MS = 30_000

async function postJson(url: string, body: unknown, signal?: AbortSignal): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  })
  return { status: response.status, body: await response.json() }
}

async function probe(origin: string): Promise<VersionStoreCounts> {
  const response = await fetch(`${origin}/probe`)
  expect(response.status).toBe(200)
  return (await response.json()) as VersionStoreCounts
}

/**
 * Runs the scenario against `origin`; fails the current test on any deviation.
 *
 * @example
 * const timings = await runSyncScenario('http://127.0.0.1:8787')
 */
export async function runSyncScenario(origin: string): Promise<ScenarioTimings> {
  const watched = 'room:runtime-test'
  const untouched = 'room:untouched'

  // 1. A first sync: the client holds nothing, so both never-written keys come back at the
  //    store's floor version: one version for every never-written key, above 0 (the memory
  //    store's floor is issued when it starts, so a restart never reads as an old "never written").
  const syncStart = performance.now()
  const first = await postJson(`${origin}${ENDPOINT}`, { v: 1, known: { [watched]: null, [untouched]: null } })
  const syncMs = performance.now() - syncStart
  expect(first.status).toBe(200)
  expect(first.body.v).toBe(1)
  const floor = first.body.changed[watched].version as number
  expect(Number.isSafeInteger(floor) && floor > 0).toBe(true)
  expect(first.body.changed[untouched].version).toBe(floor)

  // 2. A long-poll holding both keys at what it has: nothing differs, so the server must hold it.
  const before = await probe(origin)
  let settled = false
  const longPoll = postJson(`${origin}${ENDPOINT}`, { v: 1, known: { [watched]: floor, [untouched]: floor }, wait: 25_000 }).finally(() => {
    settled = true
  })
  // Held = a store subscription is live and the long-poll read the versions, and it has not answered.
  // (The server subscribes before it reads, so any invalidate from here on must wake it.)
  await waitFor(
    async () => {
      const counts = await probe(origin)
      return counts.reads > before.reads && counts.activeSubscriptions > 0
    },
    { timeoutMs: CONDITION_TIMEOUT_MS, what: 'the long-poll to subscribe and read' },
  )
  expect(settled).toBe(false)

  // 3. Invalidate through another request to the same process/isolate.
  const wakeStart = performance.now()
  const invalidated = await postJson(`${origin}/invalidate`, { keys: [watched] })
  expect(invalidated.status).toBe(200)
  const newVersion = invalidated.body[watched] as number
  expect(newVersion).toBeGreaterThan(floor)

  // 4. The held long-poll wakes with exactly the changed key and its new version.
  const woken = await longPoll
  const wakeMs = performance.now() - wakeStart
  expect(woken.status).toBe(200)
  expect(Object.keys(woken.body.changed)).toEqual([watched])
  expect(woken.body.changed[watched].version).toBe(newVersion)

  // 5. The held request let go of its subscription.
  await waitFor(async () => (await probe(origin)).activeSubscriptions === before.activeSubscriptions, {
    timeoutMs: CONDITION_TIMEOUT_MS,
    what: 'the long-poll subscription to be released',
  })
  return { syncMs, wakeMs }
}
