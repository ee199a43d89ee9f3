import { createServer, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createRealityServer, toNodeHandler } from '../../server/index.js'
import { createStore } from '../create-store.js'
import { RealityError } from '../errors.js'
import { httpTransport } from './http.js'

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f()
})
const signal = new AbortController().signal
const request = { v: 1 as const, known: { a: null } }

function stubFetch(response: () => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = []
  const fetch = (async (url: string, init: RequestInit) => (calls.push({ url, init }), response())) as typeof globalThis.fetch
  return { fetch, calls }
}
const json = (body: unknown, init?: ResponseInit) => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' }, ...init })

describe('httpTransport', () => {
  it('POSTs JSON to the endpoint with headers and credentials', async () => {
    const { fetch, calls } = stubFetch(() => json({ v: 1, changed: { a: { version: 0 } } }))
    const transport = httpTransport({ endpoint: '/sync', fetch, headers: () => ({ authorization: 'Bearer t' }), credentials: 'include' })
    await expect(transport.sync(request, signal)).resolves.toEqual({ v: 1, changed: { a: { version: 0 } } })
    expect(calls[0]!.url).toBe('/sync')
    expect(calls[0]!.init).toMatchObject({ method: 'POST', credentials: 'include', body: JSON.stringify(request), signal })
    expect(calls[0]!.init.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer t' })
  })

  it.each([
    ['another protocol version', () => json({ v: 2, changed: {} })],
    ['no changed object', () => json({ v: 1 })],
    ['a bad version', () => json({ v: 1, changed: { a: { version: -1 } } })],
    ['a version that is not a safe integer', () => json({ v: 1, changed: { a: { version: '7' } } })],
    ['a bad denied list', () => json({ v: 1, changed: {}, denied: 'a' })],
  ])('refuses an answer with %s as protocol_mismatch', async (_, response) => {
    const error = await httpTransport({ fetch: stubFetch(response).fetch }).sync(request, signal).catch((e) => e)
    expect(error).toBeInstanceOf(RealityError)
    expect(error.code).toBe('protocol_mismatch')
    expect(error.message).toMatch(/is no Reality v1 sync handler/)
  })

  it('turns HTTP errors into sync_failed with status, the server message and Retry-After in ms', async () => {
    const body = { error: { code: 'rate_limited', message: 'Too many requests.' } }
    let error = await httpTransport({ fetch: stubFetch(() => json(body, { status: 429, headers: { 'retry-after': '7' } })).fetch }).sync(request, signal).catch((e) => e)
    expect(error).toMatchObject({ code: 'sync_failed', status: 429, retryAfter: 7000 })
    expect(error.message).toContain('Too many requests.')
    error = await httpTransport({ fetch: stubFetch(() => new Response('down', { status: 503 })).fetch }).sync(request, signal).catch((e) => e)
    expect(error).toMatchObject({ code: 'sync_failed', status: 503, retryAfter: undefined })
  })

  it.each([
    ['an HTML page (a misrouted request)', () => new Response('<html>', { headers: { 'content-type': 'text/html' } })],
    ['a truncated body', () => new Response('{"v":1,"changed":{"a":')],
  ])('turns a 200 with %s into a retryable sync_failed', async (_, response) => {
    const error = await httpTransport({ fetch: stubFetch(response).fetch }).sync(request, signal).catch((e) => e)
    expect(error).toBeInstanceOf(RealityError)
    expect(error.code).toBe('sync_failed')
    expect(error.status).toBeUndefined()
    expect(error.message).toMatch(/truncated or non-JSON body: retrying/)
  })

  it('turns network failures into sync_failed with the cause', async () => {
    const cause = new TypeError('fetch failed')
    const error = await httpTransport({ endpoint: 'http://127.0.0.1:9/x', fetch: (() => Promise.reject(cause)) as never }).sync(request, signal).catch((e) => e)
    expect(error).toMatchObject({ code: 'sync_failed', cause })
    expect(error.message).toMatch(/Could not reach http:\/\/127\.0\.0\.1:9\/x/)
  })
})

describe('over real loopback HTTP', () => {
  it('syncs, wakes on invalidate, serves a new key during a held poll, and destroy() releases the held request', async () => {
    const reality = createRealityServer()
    const http: Server = createServer(toNodeHandler(reality.handler))
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    cleanup.push(() => new Promise((resolve) => (http.close(resolve), http.closeAllConnections())), () => reality.close())
    const { port } = http.address() as { port: number }
    const db: Record<string, string> = { a: 'a1', b: 'b1' }
    const store = createStore({ endpoint: `http://127.0.0.1:${port}/reality/sync` })
    cleanup.push(() => store.destroy())
    const a = store.node('a', { fetcher: async (key) => db[key] })
    a.subscribe(() => {})
    await expect.poll(() => a.get().data).toBe('a1')
    await expect.poll(() => reality.stats().waiters).toBe(1) // the long-poll is held
    db.a = 'a2'
    await reality.invalidate('a')
    await expect.poll(() => a.get().data).toBe('a2')
    await expect.poll(() => reality.stats().waiters).toBe(1)
    const b = store.node('b', { fetcher: async (key) => db[key] })
    b.subscribe(() => {})
    await expect.poll(() => b.get().data).toBe('b1') // well before the 25 s wait ends
    expect(store.status.get()).toBe('live')
    store.destroy()
    await expect.poll(() => reality.stats().waiters).toBe(0)
  })
})
