import http from 'node:http'
import type { AddressInfo } from 'node:net'
import connect from 'connect'
import express from 'express'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createRealityServer, type RealityServer } from './create-server.js'
import { EventEmitter } from 'node:events'
import { attachSyncCore, syncCoreOf } from './node-fast-path.js'
import { jsonOutput } from './responses.js'
import type { SyncInput } from './sync-core.js'
import { toNodeHandler } from './node-handler.js'
import { until } from './test-requests.js'

const servers: http.Server[] = []
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      const closed = new Promise((resolve) => server.close(resolve))
      server.closeAllConnections() // fetch may keep a spare idle socket open
      return closed
    }),
  )
})

async function listen(listener: http.RequestListener): Promise<string> {
  const server = http.createServer(listener)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function post(url: string, body: unknown, init: RequestInit = {}) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), ...init })
}

/** Raw request so the test controls framing (chunked, no Content-Length). */
function rawPost(url: string, chunks: Buffer[], headers: Record<string, string>): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers }, (response) => {
      const parts: Buffer[] = []
      response.on('data', (part: Buffer) => parts.push(part))
      response.on('end', () => resolve({ status: response.statusCode!, body: Buffer.concat(parts).toString(), headers: response.headers }))
    })
    request.on('error', reject)
    let i = 0
    const next = () => {
      if (i >= chunks.length) return void request.end()
      if (request.write(chunks[i++]!)) setImmediate(next)
      else request.once('drain', next)
    }
    next()
  })
}

type Mount = (reality: RealityServer) => Promise<string>

const mounts: Record<string, Mount> = {
  'node:http': (reality) => listen(toNodeHandler(reality.handler)),
  // A wrapped handler hides the server's core: the generic Request/Response path.
  'node:http, generic path': (reality) => listen(toNodeHandler((request) => reality.handler(request))),
  'Express 5': (reality) => {
    const app = express()
    app.post('/reality/sync', toNodeHandler(reality.handler))
    return listen(app).then((base) => `${base}/reality/sync`)
  },
  Connect: (reality) => {
    const app = connect()
    app.use('/reality/sync', toNodeHandler(reality.handler))
    return listen(app).then((base) => `${base}/reality/sync`)
  },
}

for (const [name, mount] of Object.entries(mounts)) {
  describe(`toNodeHandler on ${name}`, () => {
    it('syncs, and a held long-poll wakes on invalidate', async () => {
      const reality = createRealityServer()
      const url = await mount(reality)
      const { a: floor } = await reality.getVersions('a') // never written: the store's floor version
      const first = await post(url, { v: 1, known: { a: null } })
      expect(first.status).toBe(200)
      expect(first.headers.get('content-length')).not.toBeNull()
      expect(await first.json()).toEqual({ v: 1, changed: { a: { version: floor } } })
      const held = post(url, { v: 1, known: { a: floor }, wait: 30_000 })
      await until(() => reality.stats().waiters === 1)
      const { a } = await reality.invalidate('a', { payload: 'x' })
      expect(await (await held).json()).toEqual({ v: 1, changed: { a: { version: a, payload: 'x' } } })
    })

    it('releases a held long-poll when the client disconnects', async () => {
      const reality = createRealityServer()
      const url = await mount(reality)
      const controller = new AbortController()
      const held = post(url, { v: 1, known: await reality.getVersions('a'), wait: 30_000 }, { signal: controller.signal })
      await until(() => reality.stats().waiters === 1)
      controller.abort()
      await expect(held).rejects.toThrow()
      await until(() => reality.stats().held === 0)
      expect(reality.stats()).toEqual({ held: 0, timers: 0, abortListeners: 0, waiters: 0, watchedKeys: 0, subscriptions: 0 })
    })

    it('answers 413 to a chunked body with no length and stops reading it', async () => {
      const reality = createRealityServer({ limits: { maxBodyBytes: 1024 } })
      const url = await mount(reality)
      const chunks = Array.from({ length: 64 }, () => Buffer.alloc(1024, 32))
      const response = await rawPost(url, chunks, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' })
      expect(response.status).toBe(413)
      expect(JSON.parse(response.body).error.code).toBe('payload_too_large')
    })

    it('answers 413 from Content-Length and 415/405 with JSON bodies', async () => {
      const reality = createRealityServer({ limits: { maxBodyBytes: 10 } })
      const url = await mount(reality)
      const big = await post(url, '{"v":1,"known":{}}')
      expect(big.status).toBe(413)
      const type = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })
      expect(type.status).toBe(415)
      if (name.startsWith('node:http')) {
        const method = await fetch(url, { method: 'PUT', body: '{}' })
        expect(method.status).toBe(405)
        expect(method.headers.get('allow')).toBe('GET, POST')
      }
    })
  })
}

describe('toNodeHandler details', () => {
  it('takes the fast path for a server handler and still gives authorize a real Request', async () => {
    const seen: { url: string; auth: string | null; keys: string[] }[] = []
    const reality = createRealityServer({
      authorize: (request, keys) => {
        seen.push({ url: request.url, auth: request.headers.get('authorization'), keys })
        return keys.filter((key) => key !== 'secret')
      },
    })
    expect(syncCoreOf(reality.handler)).toBeTypeOf('function')
    const base = await listen(toNodeHandler(reality.handler))
    const { open: floor } = await reality.getVersions('open') // never written: the store's floor version
    const response = await post(`${base}/reality/sync`, { v: 1, known: { open: null, secret: null } }, { headers: { 'content-type': 'application/json', authorization: 'Bearer t' } })
    expect(await response.json()).toEqual({ v: 1, changed: { open: { version: floor } }, denied: ['secret'] })
    expect(seen).toEqual([{ url: `${base}/reality/sync`, auth: 'Bearer t', keys: ['open', 'secret'] }])
  })

  it('aborts the signal at once for a client that left before the hold asked for it', async () => {
    let aborted: boolean | undefined
    const core = async (input: SyncInput) => {
      aborted = input.signal().aborted
      return jsonOutput(200, '{}')
    }
    const handler = toNodeHandler(attachSyncCore(async () => new Response(), core))
    const writeHead = vi.fn()
    const req = Object.assign(new EventEmitter(), { method: 'POST', headers: {}, rawHeaders: [], socket: { destroyed: true } })
    const res = Object.assign(new EventEmitter(), { destroyed: true, writableFinished: false, writeHead })
    handler(req as never, res as never)
    await until(() => aborted !== undefined)
    expect(aborted).toBe(true)
    await new Promise((resolve) => setImmediate(resolve))
    expect(writeHead).not.toHaveBeenCalled() // nobody to answer
    expect(res.listenerCount('close')).toBe(0)
  })

  it('does not hold a request whose client left while authorize ran', async () => {
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    let authorized = false
    const reality = createRealityServer({
      authorize: async (_request, keys) => {
        authorized = true
        await gate // the client goes away while authorize runs
        return keys
      },
    })
    const base = await listen(toNodeHandler(reality.handler))
    const controller = new AbortController()
    // Up to date (the floor of never-written `a`), so the request would be held if the client stayed.
    const held = post(base, { v: 1, known: await reality.getVersions('a'), wait: 30_000 }, { signal: controller.signal })
    await until(() => authorized)
    controller.abort()
    await expect(held).rejects.toThrow()
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve))
    release()
    await until(() => reality.stats().held === 0 && reality.stats().waiters === 0)
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(reality.stats()).toEqual({ held: 0, timers: 0, abortListeners: 0, waiters: 0, watchedKeys: 0, subscriptions: 0 })
  })

  it('uses a body an Express body parser already consumed', async () => {
    const reality = createRealityServer()
    await reality.invalidate('__proto__')
    const app = express()
    app.use(express.json())
    app.post('/sync', toNodeHandler(reality.handler))
    const base = await listen(app)
    const { a: floor } = await reality.getVersions('a') // never written: the store's floor version
    const response = await post(`${base}/sync`, '{"v":1,"known":{"a":null}}')
    expect(await response.json()).toEqual({ v: 1, changed: { a: { version: floor } } })
    const raw = express()
    raw.use(express.raw({ type: 'application/json' }))
    raw.post('/sync', toNodeHandler(reality.handler))
    const rawBase = await listen(raw)
    const duplicate = await post(`${rawBase}/sync`, '{"v":1,"known":{"a":1,"a":2}}')
    expect(((await duplicate.json()) as { error: { code: string } }).error.code).toBe('duplicate_key')
  })

  it('builds the URL from Host and the original URL, and copies response headers', async () => {
    let seen: Request | undefined
    const base = await listen(
      toNodeHandler(async (request) => {
        seen = request
        const headers = new Headers({ 'x-one': '1' })
        headers.append('set-cookie', 'a=1')
        headers.append('set-cookie', 'b=2')
        return new Response('ok', { status: 201, headers })
      }),
    )
    const response = await fetch(`${base}/mounted/sync?x=1`, { method: 'POST', body: 'hi', headers: { 'x-test': 'yes' } })
    expect(response.status).toBe(201)
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    expect(response.headers.get('x-one')).toBe('1')
    expect(seen!.url).toBe(`${base}/mounted/sync?x=1`)
    expect(seen!.headers.get('x-test')).toBe('yes')
  })

  it('streams a multi-chunk response body', async () => {
    const base = await listen(
      toNodeHandler(async () => {
        const chunks = ['a', 'b', 'c'].map((c) => new TextEncoder().encode(c.repeat(100_000)))
        return new Response(new ReadableStream({ pull: (controller) => (chunks.length ? controller.enqueue(chunks.shift()!) : controller.close()) }))
      }),
    )
    const text = await (await fetch(base, { method: 'POST', body: '' })).text()
    expect(text.length).toBe(300_000)
    expect(text.endsWith('c')).toBe(true)
  })

  it('sends a handler crash to next, or answers a generic 500 without next', async () => {
    const crash = toNodeHandler(async () => {
      throw new Error('secret detail')
    })
    const base = await listen(crash)
    const response = await fetch(base, { method: 'POST', body: '' })
    expect(response.status).toBe(500)
    expect(await response.text()).not.toContain('secret')
    const app = express()
    app.post('/', crash)
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(502).send(`handled ${error.message}`)
    })
    const expressBase = await listen(app)
    expect(await (await fetch(expressBase, { method: 'POST', body: '' })).text()).toBe('handled secret detail')
  })
})
