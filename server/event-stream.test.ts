import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createRealityServer, type RealityServer, type RealityServerOptions } from './create-server.js'
import { toNodeHandler } from './node-handler.js'
import { until } from './test-requests.js'
import { parseEvent, recordReader, type RecordReader } from './test-streams.js'

const idle = { held: 0, timers: 0, abortListeners: 0, waiters: 0, watchedKeys: 0, subscriptions: 0 }
const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step()
})

async function start(options: RealityServerOptions = {}): Promise<{ reality: RealityServer; url: string }> {
  const reality = createRealityServer({ onError: () => {}, ...options })
  const listener = http.createServer(toNodeHandler(reality.handler))
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
  cleanup.push(async () => {
    await reality.close()
    listener.closeAllConnections()
    await new Promise((resolve) => listener.close(resolve))
  })
  return { reality, url: `http://127.0.0.1:${(listener.address() as AddressInfo).port}/reality/sync` }
}

/** Opens the event stream as a raw reader (Node has no EventSource), skipping comments. */
async function open(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController()
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal })
  const records: RecordReader = recordReader(response, '\n\n')
  const next = async () => {
    for (;;) {
      const event = parseEvent(await records.next())
      if (event.comment === undefined) return event
    }
  }
  return { response, next, records, close: () => controller.abort() }
}

describe('GET with Accept: text/event-stream (Server-Sent Events)', () => {
  it('sends every key at once, then one change event per change, with a cursor id', async () => {
    const { reality, url } = await start()
    const a1 = (await reality.invalidate('a', { payload: { n: 1 } })).a!
    const stream = await open(`${url}?key=a&key=b`)
    expect(stream.response.status).toBe(200)
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream')
    const first = await stream.next()
    expect(first).toMatchObject({ event: 'change' })
    expect(JSON.parse(first.data!)).toEqual({ key: 'a', version: a1, payload: { n: 1 } })
    const second = await stream.next()
    expect(JSON.parse(second.data!)).toMatchObject({ key: 'b' })
    expect(second.id).toBe(`${a1.toString(36)}.${(await reality.getVersions('b')).b!.toString(36)}`)
    const b2 = (await reality.invalidate('b', { hash: 'h2' })).b!
    const change = await stream.next()
    expect(JSON.parse(change.data!)).toEqual({ key: 'b', version: b2, hash: 'h2' })
    expect(change.id).toBe(`${a1.toString(36)}.${b2.toString(36)}`)
    stream.close()
    await until(() => reality.stats().held === 0)
    expect(reality.stats()).toEqual(idle)
  })

  it('resumes from Last-Event-ID without missing a version written while disconnected', async () => {
    const { reality, url } = await start()
    const first = await open(`${url}?key=a&key=b`)
    await first.next()
    const lastSeen = (await first.next()).id!
    first.close()
    await until(() => reality.stats().held === 0)
    const { a } = await reality.invalidate('a') // while nobody listens
    const resumed = await open(`${url}?key=a&key=b`, { 'last-event-id': lastSeen })
    const event = await resumed.next()
    expect(JSON.parse(event.data!)).toEqual({ key: 'a', version: a })
    // b did not change: nothing else is sent until the next change.
    const { b } = await reality.invalidate('b')
    expect(JSON.parse((await resumed.next()).data!)).toEqual({ key: 'b', version: b })
    resumed.close()
  })

  it('sends a heartbeat comment, the denied keys once, and ends after maxStream', async () => {
    const { url } = await start({ heartbeat: 20, maxStream: 400, authorize: (_request, keys) => keys.filter((key) => key !== 'secret') })
    const stream = await open(`${url}?key=a&key=secret`)
    const denied = await stream.next()
    expect(denied).toEqual({ event: 'denied', data: '{"keys":["secret"]}' })
    expect((await stream.next()).event).toBe('change')
    expect(parseEvent(await stream.records.next())).toEqual({ comment: 'heartbeat' })
    await stream.records.rest() // the server ends it after maxStream
  })
})
