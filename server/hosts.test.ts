/**
 * Every host the README documents, mounted as the README says and driven
 * over real HTTP where the host runs here: Fastify, Hono on
 * @hono/node-server, Express with and without express.json(). Next.js route
 * handlers and SvelteKit endpoints are `Request → Response` functions: the
 * `next` and `@sveltejs/kit` packages are not installed here, so they are
 * tested at the Request level, exactly as those frameworks call them
 * (a Request with a body stream and an abort signal; `{ request }` event).
 */
import { serve, type ServerType } from '@hono/node-server'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createRealityServer, type RealityServer } from './create-server.js'
import { toNodeHandler } from './node.js'
import { until } from './test-requests.js'

const stops: (() => Promise<unknown>)[] = []
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()))
})

async function listenNode(listener: http.RequestListener): Promise<string> {
  const server = http.createServer(listener)
  stops.push(() => {
    const closed = new Promise((resolve) => server.close(resolve))
    server.closeAllConnections()
    return closed
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const idle = { held: 0, timers: 0, abortListeners: 0, waiters: 0, watchedKeys: 0, subscriptions: 0 }

/** A quick sync, a held sync woken by invalidate, a held sync released by a client abort, and bad input refused. */
async function exercise(reality: RealityServer, url: string, extra: Record<string, string> = {}): Promise<void> {
  const post = (body: string, signal?: AbortSignal) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...extra }, body, signal })
  const floor = (await reality.getVersions('room'))['room']!
  const quick = await post(JSON.stringify({ v: 1, known: { room: null } }))
  expect(quick.status).toBe(200)
  expect(await quick.json()).toEqual({ v: 1, changed: { room: { version: floor } } })

  const held = post(JSON.stringify({ v: 1, known: { room: floor }, wait: 20_000 }))
  await until(() => reality.stats().waiters === 1)
  const { room: version } = await reality.invalidate('room')
  expect(await (await held).json()).toEqual({ v: 1, changed: { room: { version } } })

  const controller = new AbortController()
  const leaving = post(JSON.stringify({ v: 1, known: { room: version } , wait: 20_000 }), controller.signal).catch(() => 'aborted')
  await until(() => reality.stats().held === 1)
  controller.abort()
  expect(await leaving).toBe('aborted')
  await until(() => reality.stats().held === 0)

  const bad = await post('{"v":1,"known":{"room":"new"}}')
  expect(bad.status).toBe(400)
  expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_request')
  expect(reality.stats()).toEqual(idle)
}

describe('hosts', () => {
  it('Fastify: reply.hijack() and the pre-parsed request.body', async () => {
    const reality = createRealityServer()
    const sync = toNodeHandler(reality.handler)
    const app = Fastify()
    app.post('/reality/sync', (request, reply) => {
      reply.hijack()
      sync(request.raw, reply.raw, { body: request.body })
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
    stops.push(() => app.close())
    const { port } = app.server.address() as AddressInfo
    await exercise(reality, `http://127.0.0.1:${port}/reality/sync`)
  })

  it('Hono on @hono/node-server: c.req.raw', async () => {
    const reality = createRealityServer()
    const app = new Hono()
    app.post('/reality/sync', (c) => reality.handler(c.req.raw))
    const server = await new Promise<ServerType>((resolve) => {
      const started: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started))
    })
    stops.push(() => new Promise((resolve) => (server as http.Server).close(resolve)))
    const { port } = server.address() as AddressInfo
    await exercise(reality, `http://127.0.0.1:${port}/reality/sync`)
  })

  it('Express without a body parser', async () => {
    const reality = createRealityServer()
    const app = express()
    app.post('/reality/sync', toNodeHandler(reality.handler))
    await exercise(reality, `${await listenNode(app)}/reality/sync`)
  })

  it('Express with express.json() before it', async () => {
    const reality = createRealityServer()
    const app = express()
    app.use(express.json())
    app.post('/reality/sync', toNodeHandler(reality.handler))
    await exercise(reality, `${await listenNode(app)}/reality/sync`)
  })

  it('node:http serving the app’s own routes beside the sync endpoint', async () => {
    const reality = createRealityServer()
    const sync = toNodeHandler(reality.handler)
    const base = await listenNode((req, res) => {
      if (req.url === '/reality/sync') return sync(req, res)
      if (req.method === 'GET' && req.url === '/api/hello') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":"world"}')
      res.writeHead(404).end()
    })
    expect(await (await fetch(`${base}/api/hello`)).json()).toEqual({ hello: 'world' })
    await exercise(reality, `${base}/reality/sync`)
  })

  // `export const POST = reality.handler` in app/reality/sync/route.ts: Next
  // calls it with a NextRequest (a Request subclass) whose signal aborts when
  // the client disconnects, and sends the Response it returns.
  it('Next.js route handler: POST = reality.handler, called with a streamed Request and its signal', async () => {
    const reality = createRealityServer()
    const POST = reality.handler
    const call = (body: string, signal?: AbortSignal) => {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(body))
          controller.close()
        },
      })
      const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half', signal } as RequestInit
      return POST(new Request('http://localhost:3000/reality/sync', init))
    }
    const floor = (await reality.getVersions('room'))['room']!
    const held = call(JSON.stringify({ v: 1, known: { room: floor }, wait: 20_000 }))
    await until(() => reality.stats().waiters === 1)
    const { room: version } = await reality.invalidate('room')
    expect(await (await held).json()).toEqual({ v: 1, changed: { room: { version } } })
    const controller = new AbortController()
    const leaving = call(JSON.stringify({ v: 1, known: { room: version }, wait: 20_000 }), controller.signal)
    await until(() => reality.stats().held === 1)
    controller.abort()
    expect((await leaving).status).toBe(200) // answered empty at once; Next drops it for a gone client
    expect(reality.stats()).toEqual(idle)
  })

  // SvelteKit: `export const POST: RequestHandler = ({ request }) => reality.handler(request)`
  // in src/routes/reality/sync/+server.ts.
  it('SvelteKit-style RequestHandler: ({ request }) => reality.handler(request)', async () => {
    const reality = createRealityServer()
    const POST = ({ request }: { request: Request; url: URL; params: Record<string, string> }) => reality.handler(request)
    const request = new Request('http://localhost:5173/reality/sync', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ v: 1, known: { room: null } }),
    })
    const response = await POST({ request, url: new URL(request.url), params: {} })
    const floor = (await reality.getVersions('room'))['room']!
    expect(await response.json()).toEqual({ v: 1, changed: { room: { version: floor } } })
  })
})
