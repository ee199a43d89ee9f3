/**
 * Client faults, each reproduced through the real `httpTransport` over
 * loopback HTTP (ARCHITECTURE.md C1, C2, C6, C7, C8): a real Reality server
 * where one is needed, or a plain `node:http` server that misbehaves the way
 * a frozen, misrouted or overloaded instance does. The request counts asked
 * of the server are upper bounds over a stretch of real time, so a loaded
 * machine (which sends fewer) cannot make them fail.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createRealityServer, memoryVersions } from '../server/index.js'
import { toNodeHandler } from '../server/node.js'
import { startLoopbackServer, until } from '../test/loopback.js'
import { createStore } from './create-store.js'
import { focusManager } from './managers/focus.js'
import { manualTimers } from './test-helpers.js'
import type { Store, StoreOptions } from './types.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  focusManager.set(undefined)
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A `fetch` that counts sync requests and remembers the keys each carried. */
function countingFetch() {
  const sent: { known: Record<string, number | null>; wait?: number; at: number }[] = []
  const answered: number[] = []
  return {
    sent,
    answered,
    fetch: (async (url: string, init: RequestInit) => {
      sent.push({ ...JSON.parse(String(init.body)), at: Date.now() })
      const response = await fetch(url, init)
      answered.push(Date.now())
      return response
    }) as typeof fetch,
  }
}

/** A plain HTTP server on 127.0.0.1 with the given handler; closed after the test. */
async function startRawServer(handler: (request: IncomingMessage, response: ServerResponse) => void) {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/reality/sync`
}

/** A Reality server behind a raw server whose handler may answer instead (faults). */
async function startFaultyServer(fault: (request: IncomingMessage, response: ServerResponse) => boolean) {
  const reality = createRealityServer({ versions: memoryVersions() })
  const real = toNodeHandler(reality.handler)
  let requests = 0
  const endpoint = await startRawServer((request, response) => {
    requests++
    if (!fault(request, response)) void real(request, response)
  })
  cleanups.push(() => reality.close())
  return { reality, endpoint, requests: () => requests }
}

function storeFor(endpoint: string, options: StoreOptions = {}): Store {
  const store = createStore({ endpoint, ...options })
  cleanups.push(() => store.destroy())
  return store
}

async function loopback() {
  const server = await startLoopbackServer({ versions: memoryVersions() })
  cleanups.push(() => server.close())
  return server
}

describe('client faults over the real http transport', () => {
  it('1. a node read with get() and never subscribed is not in known and causes no request storm', async () => {
    const server = await loopback()
    const counter = countingFetch()
    const store = storeFor(server.endpoint, { fetch: counter.fetch })
    const a = store.node('a', { fetcher: async () => 'A' })
    a.subscribe(() => {})
    await until(() => a.get().data === 'A' && store.status.get() === 'live', 'a loaded')
    expect(store.node('b', { fetcher: async () => 'B' }).get().isLoading).toBe(true)
    await until(() => counter.sent.some((request) => request.wait), 'a held poll')
    const before = counter.sent.length
    await server.reality.invalidate(['a'])
    await sleep(1000)
    const inOneSecond = counter.sent.length - before
    expect(inOneSecond).toBeLessThanOrEqual(3)
    expect(counter.sent.every((request) => !('b' in request.known))).toBe(true)
  })

  it('2. the optimistic layer drops no later than one fetch after the mutation resolves, not after the next held poll', async () => {
    const server = await loopback()
    const messages = ['hello']
    const store = storeFor(server.endpoint)
    const room = store.node('chat', { fetcher: async () => [...messages] })
    room.subscribe(() => {})
    await until(() => store.status.get() === 'live' && room.get().data?.length === 1, 'the room loaded')
    // The README chat flow: the API writes, invalidates, answers 50 ms later.
    await store.mutate(
      [room],
      async () => {
        messages.push('new')
        await server.reality.invalidate(['chat'])
        await sleep(50)
      },
      { optimistic: [(list) => [...(list ?? []), 'new (optimistic)']] },
    )
    // Without the fix the layer stays for the whole held poll (`wait`, 25 s).
    await until(() => JSON.stringify(room.get().data) === '["hello","new"]', 'the server data without the optimistic layer', 5000)
  })

  it('3. keys past the server limits are split into requests that fit; every key loads and one warning names the limit', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    cleanups.push(() => warn.mockRestore())
    const server = await loopback()
    const counter = countingFetch()
    const store = storeFor(server.endpoint, { fetch: counter.fetch })
    const many = Array.from({ length: 1001 }, (_, i) => store.node(`k:${i}`, { fetcher: async (key) => key }))
    const long = Array.from({ length: 700 }, (_, i) => store.node(`${'x'.repeat(86)}:${String(i).padStart(5, '0')}`, { fetcher: async (key) => key }))
    for (const handle of [...many, ...long]) handle.subscribe(() => {})
    await until(() => [...many, ...long].every((handle) => handle.get().data === handle.key), 'every key loaded', 20_000)
    expect(store.status.get()).toBe('live')
    for (const request of counter.sent) {
      expect(Object.keys(request.known).length).toBeLessThanOrEqual(500)
      expect(JSON.stringify(request).length).toBeLessThanOrEqual(48 * 1024 + 64)
    }
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]![0])).toMatch(/1701 keys exceed the sync request limit \(500 keys, 49152 bytes\)/)
  })

  it('3b. a server with lower limits (400 too_many_keys, 413) makes the store split further until requests fit', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    cleanups.push(() => warn.mockRestore())
    const server = await startLoopbackServer({ versions: memoryVersions(), limits: { maxKeys: 100, maxBodyBytes: 4096 } })
    cleanups.push(() => server.close())
    const store = storeFor(server.endpoint, { live: 'events' })
    const handles = Array.from({ length: 150 }, (_, i) => store.node(`key:${i}`, { fetcher: async (key) => key }))
    for (const handle of handles) handle.subscribe(() => {})
    await until(() => handles.every((handle) => handle.get().data === handle.key), 'every key loaded', 20_000)
    expect(warn).toHaveBeenCalledTimes(1)
  })

  it('4. a 503 with a huge Retry-After is clamped (5 min), not turned into a retry storm; focus does not skip it', async () => {
    let requests = 0
    const endpoint = await startRawServer((_, response) => {
      requests++
      response.writeHead(503, { 'retry-after': '2592000', 'content-type': 'application/json' })
      response.end('{"error":{"code":"unavailable","message":"maintenance"}}')
    })
    const store = storeFor(endpoint)
    store.node('a', { fetcher: async () => 'A' }).subscribe(() => {})
    await until(() => requests === 1 && store.status.get() === 'reconnecting', 'the first 503')
    focusManager.set(true)
    await sleep(1000)
    expect(requests).toBe(1)
  })

  it('5. store.sync() resolves only after an answer covering its keys was applied, even when a new key arrives meanwhile', async () => {
    const server = await loopback()
    const counter = countingFetch()
    const store = storeFor(server.endpoint, { fetch: counter.fetch })
    const a = store.node('a', { fetcher: async () => 'A' })
    a.subscribe(() => {})
    await until(() => store.status.get() === 'live' && counter.sent.some((request) => request.wait), 'a held poll')
    for (let round = 0; round < 5; round++) {
      const calledAt = counter.answered.length
      const synced = store.sync()
      // A new key subscribed once the sync request is out (awaited too: the
      // answer may come first, and the store is destroyed after the test).
      const joined = new Promise<void>((resolve) =>
        setTimeout(() => {
          store.node(`late:${round}`, { fetcher: async () => round }).subscribe(() => {})
          resolve()
        }, 0),
      )
      await synced
      expect(counter.answered.length).toBeGreaterThan(calledAt)
      await joined
    }
  })

  it('6. a request that gets no answer is aborted at its deadline (timeout) and retried: reconnecting, not stale and live', async () => {
    let requests = 0
    const endpoint = await startRawServer(() => void requests++) // accepts, never answers
    const store = storeFor(endpoint, { timeout: 300 })
    store.node('a', { fetcher: async () => 'A' }).subscribe(() => {})
    await until(() => store.status.get() === 'reconnecting', 'the deadline', 5000)
    await until(() => requests >= 2, 'a retry', 5000)
  })

  it('7. a 200 that is truncated or an HTML page is retried (reconnecting), then the store goes live', async () => {
    let faults = 0
    const { reality, endpoint } = await startFaultyServer((_, response) => {
      faults++
      if (faults === 1) {
        response.writeHead(200, { 'content-type': 'text/html' })
        response.end('<!doctype html><title>Welcome to nginx</title>')
        return true
      }
      if (faults === 2) {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' })
        response.write('{"v":1,"changed":{"a":{"vers')
        setTimeout(() => response.destroy(), 10)
        return true
      }
      return false
    })
    await reality.invalidate(['a'])
    const store = storeFor(endpoint)
    const statuses: string[] = []
    store.status.subscribe((status) => statuses.push(status))
    const a = store.node('a', { fetcher: async () => 'A' })
    a.subscribe(() => {})
    await until(() => a.get().data === 'A' && store.status.get() === 'live', 'live after the faults', 10_000)
    expect(statuses).toContain('reconnecting')
    expect(statuses).not.toContain('error')
  })

  it('8. from error the store retries by itself (about every 60 s), so a burst of 404s is not a dead end outside a browser', async () => {
    let notFound = true
    const { endpoint } = await startFaultyServer((_, response) => {
      if (!notFound) return false
      response.writeHead(404, { 'content-type': 'text/plain' })
      response.end('Not Found')
      return true
    })
    const clock = manualTimers()
    const store = storeFor(endpoint, { timers: clock.timers })
    const a = store.node('a', { fetcher: async () => 'A' })
    a.subscribe(() => {})
    await until(() => store.status.get() === 'error', 'the 404')
    const [retry] = clock.delays().filter((ms) => ms >= 45_000 && ms <= 75_000)
    expect(retry).toBeDefined()
    notFound = false
    clock.advance(retry!)
    await until(() => store.status.get() === 'live', 'live again')
  })

  it('9. after an outage, retries back off from 0.5 s doubling to 8 s (full jitter), and the store is live on the first retry after the server returns', async () => {
    let down = true
    const { endpoint } = await startFaultyServer((_, response) => {
      if (!down) return false
      response.destroy() // the instance is gone: the connection drops
      return true
    })
    const clock = manualTimers()
    const store = storeFor(endpoint, { timers: clock.timers })
    store.node('a', { fetcher: async () => 'A' }).subscribe(() => {})
    const delays: number[] = []
    for (let failure = 1; failure <= 8; failure++) {
      await until(() => store.status.get() === 'reconnecting' && clock.delays().length > 0 && store.debug().requests === 0, `failure ${failure}`)
      const backoff = Math.min(...clock.delays())
      delays.push(backoff)
      if (failure === 8) down = false
      clock.advance(backoff)
    }
    await until(() => store.status.get() === 'live', 'live on the first retry')
    const caps = [500, 1000, 2000, 4000, 8000, 8000, 8000, 8000]
    delays.forEach((delay, index) => expect(delay).toBeLessThanOrEqual(caps[index]!))
  })

  it('fetchTimeout: a fetcher that never answers is aborted through its signal, fails with fetch_failed and is retried', async () => {
    const server = await loopback()
    let calls = 0
    let abortedSignals = 0
    const store = storeFor(server.endpoint, { fetchTimeout: 200 })
    const a = store.node('a', {
      fetcher: (_, { signal }) => {
        calls++
        if (calls > 1) return 'A'
        signal.addEventListener('abort', () => abortedSignals++)
        return new Promise<string>(() => {}) // hangs
      },
    })
    const errors: string[] = []
    a.subscribe((state) => state.error && errors.push(state.error.message))
    await until(() => a.get().data === 'A', 'the retry after the deadline', 10_000)
    expect(abortedSignals).toBe(1)
    expect(errors[0]).toMatch(/took longer than fetchTimeout \(200 ms\)/)
    expect(store.debug().fetches).toBe(0)
  })
})
