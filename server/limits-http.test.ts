/**
 * limits.maxHeld and limits.bodyTimeout over real node:http (and the fetch
 * path for the body deadline): a full server refuses to hold (503
 * `overloaded`, jittered Retry-After) and holds nothing more; a body that
 * does not arrive in time gets 408 `request_timeout` and nothing stays.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createRealityServer, type RealityServer } from './create-server.js'
import { toNodeHandler } from './node-handler.js'
import { until } from './test-requests.js'

const servers: http.Server[] = []
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      const closed = new Promise((resolve) => server.close(resolve))
      server.closeAllConnections()
      return closed
    }),
  )
})

async function serve(reality: RealityServer): Promise<number> {
  const server = http.createServer(toNodeHandler(reality.handler))
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

const idle = { held: 0, timers: 0, abortListeners: 0, waiters: 0, watchedKeys: 0, subscriptions: 0 }

describe('limits.maxHeld', () => {
  it('answers 503 overloaded with a jittered Retry-After beyond the limit, and holds nothing more', async () => {
    const reality = createRealityServer({ limits: { maxHeld: 2 } })
    const port = await serve(reality)
    const floor = (await reality.getVersions('k')).k!
    const body = JSON.stringify({ v: 1, known: { k: floor }, wait: 20_000 })
    const send = (signal?: AbortSignal) =>
      fetch(`http://127.0.0.1:${port}/reality/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal })
    const controllers = [new AbortController(), new AbortController()]
    const held = controllers.map((controller) => send(controller.signal).catch(() => undefined))
    await until(() => reality.stats().held === 2)
    const retryAfters = new Set<string>()
    for (let i = 0; i < 12; i++) {
      const refused = await send()
      expect(refused.status).toBe(503)
      expect((await refused.json()).error.code).toBe('overloaded')
      const retryAfter = Number(refused.headers.get('retry-after'))
      expect(retryAfter).toBeGreaterThanOrEqual(5)
      expect(retryAfter).toBeLessThanOrEqual(10)
      retryAfters.add(String(retryAfter))
      expect(reality.stats().held).toBe(2)
    }
    expect(retryAfters.size).toBeGreaterThan(1) // spread out, not one burst
    // A request that asks for no wait is still answered.
    const quick = await fetch(`http://127.0.0.1:${port}/reality/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ v: 1, known: { k: floor } }) })
    expect(quick.status).toBe(200)
    for (const controller of controllers) controller.abort()
    await Promise.all(held)
    await until(() => reality.stats().held === 0)
    expect(reality.stats()).toEqual(idle)
  })

  it('refuses a limit that is not a whole number ≥ 1', () => {
    expect(() => createRealityServer({ limits: { maxHeld: 0 } })).toThrow(/limits.maxHeld/)
    expect(() => createRealityServer({ limits: { bodyTimeout: -5 } })).toThrow(/limits.bodyTimeout/)
  })
})

describe('limits.bodyTimeout', () => {
  it('answers 408 request_timeout over node:http to a body that stalls, and keeps nothing', async () => {
    const reality = createRealityServer({ limits: { bodyTimeout: 300 } })
    const port = await serve(reality)
    const socket = net.connect(port, '127.0.0.1')
    let answer = ''
    socket.on('data', (chunk) => (answer += chunk.toString()))
    const closed = new Promise((resolve) => socket.on('close', resolve))
    socket.write('POST /reality/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"v":1,"kno')
    await closed // answered, then the connection is closed (its body is incomplete)
    expect(answer).toMatch(/^HTTP\/1.1 408/)
    expect(answer).toMatch(/connection: close/i)
    expect(answer).toContain('"code":"request_timeout"')
    expect(reality.stats()).toEqual(idle)
  })

  it('answers 408 on the fetch path to a streamed body that stalls', async () => {
    const reality = createRealityServer({ limits: { bodyTimeout: 300 } })
    let cancelled = false
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"v":1,'))
      },
      cancel() {
        cancelled = true
      },
    })
    const request = new Request('http://test/reality/sync', { method: 'POST', headers: { 'content-type': 'application/json' }, body: stalled, duplex: 'half' } as RequestInit)
    const response = await reality.handler(request)
    expect(response.status).toBe(408)
    expect((await response.json()).error.code).toBe('request_timeout')
    expect(cancelled).toBe(true)
    expect(reality.stats()).toEqual(idle)
  })

  it('still reads a body that arrives in pieces within the deadline', async () => {
    const reality = createRealityServer({ limits: { bodyTimeout: 5_000 } })
    const port = await serve(reality)
    const socket = net.connect(port, '127.0.0.1')
    let answer = ''
    socket.on('data', (chunk) => (answer += chunk.toString()))
    const body = '{"v":1,"known":{}}'
    socket.write(`POST /reality/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 5)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
    socket.write(body.slice(5))
    await new Promise((resolve) => socket.on('close', resolve))
    expect(answer).toMatch(/^HTTP\/1.1 200/)
  })
})
