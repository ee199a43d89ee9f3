/**
 * The streaming exchanges every runtime must serve, over real HTTP:
 * `"stream": true` NDJSON (a line per change, the same key twice), Server-Sent
 * Events resumed by `Last-Event-ID`, and the JSON GET with ETag / 304 — and
 * each stream's subscription released when its client goes away.
 */
import { expect } from 'vitest'
import { parseEvent, recordReader } from '../../../server/test-streams.js'
import type { VersionStoreCounts } from '../fixture/counting-versions.js'
import { waitFor } from './wait-for.js'

const ENDPOINT = '/reality/sync'
/** Generous bound for conditions; only a hang reaches it. */
const CONDITION_TIMEOUT_MS = 30_000

async function probe(origin: string): Promise<VersionStoreCounts> {
  return (await (await fetch(`${origin}/probe`)).json()) as VersionStoreCounts
}

async function invalidate(origin: string, key: string): Promise<number> {
  const response = await fetch(`${origin}/invalidate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keys: [key] }) })
  return ((await response.json()) as Record<string, number>)[key]!
}

function released(origin: string, subscriptions: number, what: string): Promise<void> {
  return waitFor(async () => (await probe(origin)).activeSubscriptions === subscriptions, { timeoutMs: CONDITION_TIMEOUT_MS, what })
}

/**
 * Runs the streaming scenario against `origin`; fails the current test on any deviation.
 *
 * @example
 * await runStreamScenario('http://127.0.0.1:8787')
 */
export async function runStreamScenario(origin: string): Promise<void> {
  const key = 'room:stream-test'
  const before = (await probe(origin)).activeSubscriptions

  // 1. NDJSON: the first line at once, then the same key changed twice is reported twice.
  const ndjson = new AbortController()
  const response = await fetch(`${origin}${ENDPOINT}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ v: 1, known: { [key]: null }, stream: true }),
    signal: ndjson.signal,
  })
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toBe('application/x-ndjson')
  const lines = recordReader(response, '\n')
  expect(JSON.parse(await lines.next()).changed[key].version).toBeGreaterThan(0)
  for (let round = 0; round < 2; round++) {
    const version = await invalidate(origin, key)
    expect(JSON.parse(await lines.next())).toEqual({ v: 1, changed: { [key]: { version } } })
  }
  ndjson.abort()
  await released(origin, before, 'the NDJSON stream to release its subscription')

  // 2. Server-Sent Events: everything at once, then resumed after a write made while disconnected.
  const events = new AbortController()
  const sse = await fetch(`${origin}${ENDPOINT}?key=${encodeURIComponent(key)}`, { headers: { accept: 'text/event-stream' }, signal: events.signal })
  expect(sse.headers.get('content-type')).toBe('text/event-stream')
  const records = recordReader(sse, '\n\n')
  let first = parseEvent(await records.next())
  while (first.event !== 'change') first = parseEvent(await records.next())
  events.abort()
  await released(origin, before, 'the event stream to release its subscription')
  const missed = await invalidate(origin, key)
  const resumed = new AbortController()
  const again = await fetch(`${origin}${ENDPOINT}?key=${encodeURIComponent(key)}`, { headers: { accept: 'text/event-stream', 'last-event-id': first.id! }, signal: resumed.signal })
  const resumedRecords = recordReader(again, '\n\n')
  let event = parseEvent(await resumedRecords.next())
  while (event.event !== 'change') event = parseEvent(await resumedRecords.next())
  expect(JSON.parse(event.data!)).toEqual({ key, version: missed })
  resumed.abort()
  await released(origin, before, 'the resumed event stream to release its subscription')

  // 3. JSON GET: versions with an ETag, 304 while unchanged.
  const polled = await fetch(`${origin}${ENDPOINT}?key=${encodeURIComponent(key)}`)
  expect(await polled.json()).toEqual({ v: 1, versions: { [key]: missed } })
  const etag = polled.headers.get('etag')!
  expect((await fetch(`${origin}${ENDPOINT}?key=${encodeURIComponent(key)}`, { headers: { 'if-none-match': etag } })).status).toBe(304)
}
