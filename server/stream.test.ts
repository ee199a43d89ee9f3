import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createRealityServer, type RealityServer } from './create-server.js'
import { toNodeHandler } from './node-handler.js'
import { RealityAuthError } from './auth.js'
import { syncRequest, until } from './test-requests.js'
import { recordReader } from './test-streams.js'
import { memoryVersions } from './versions/memory.js'
import type { VersionStore } from './version-store.js'

const quiet = { onError: () => {} }
const idle = { held: 0, timers: 0, abortListeners: 0, waiters: 0, watchedKeys: 0, subscriptions: 0 }
const servers: http.Server[] = []
const realities: RealityServer[] = []
afterEach(async () => {
  await Promise.all(realities.splice(0).map((reality) => reality.close()))
  await Promise.all(
    servers.splice(0).map((server) => {
      const closed = new Promise((resolve) => server.close(resolve))
      server.closeAllConnections()
      return closed
    }),
  )
})

function server(options: Parameters<typeof createRealityServer>[0] = {}): RealityServer {
  const reality = createRealityServer({ ...quiet, ...options })
  realities.push(reality)
  return reality
}

function streamRequest(known: Record<string, number | null>, signal?: AbortSignal) {
  return syncRequest({ v: 1, known, stream: true }, signal ? { signal } : {})
}

describe('"stream": true through the fetch handler', () => {
  it('answers NDJSON: the first line at once, then one line per change, a key changed twice reported twice', async () => {
    const reality = server()
    const [initial] = Object.values(await reality.getVersions(['a']))
    const response = await reality.handler(streamRequest({ a: initial!, b: null }))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/x-ndjson')
    expect(response.headers.get('cache-control')).toBe('no-store')
    const lines = recordReader(response, '\n')
    const first = JSON.parse(await lines.next())
    expect(Object.keys(first.changed)).toEqual(['b']) // b: null differs from the floor, a is held
    const { a: v1 } = await reality.invalidate('a', { payload: { text: 'one' } })
    expect(JSON.parse(await lines.next())).toEqual({ v: 1, changed: { a: { version: v1, payload: { text: 'one' } } } })
    const { a: v2 } = await reality.invalidate('a', { payload: { text: 'two' } })
    expect(JSON.parse(await lines.next())).toEqual({ v: 1, changed: { a: { version: v2, payload: { text: 'two' } } } })
    await reality.invalidate('unwatched')
    const { b } = await reality.invalidate('b', { hash: 'h' })
    expect(JSON.parse(await lines.next())).toEqual({ v: 1, changed: { b: { version: b, hash: 'h' } } })
    expect(reality.stats()).toMatchObject({ held: 1, waiters: 1, watchedKeys: 2 })
    await lines.cancel()
    await until(() => reality.stats().held === 0)
    expect(reality.stats()).toEqual(idle)
  })

  it('writes an empty answer as heartbeat when nothing changed for `heartbeat` ms', async () => {
    const reality = server({ heartbeat: 20 })
    const response = await reality.handler(streamRequest({ a: null }))
    const lines = recordReader(response, '\n')
    await lines.next()
    expect(await lines.next()).toBe('{"v":1,"changed":{}}')
    expect(await lines.next()).toBe('{"v":1,"changed":{}}')
    await lines.cancel()
    await until(() => reality.stats().held === 0)
    expect(reality.stats()).toEqual(idle)
  })

  it('ends after maxStream, and maxStream: 0 ends after the first line', async () => {
    const reality = server({ maxStream: 30 })
    const lines = recordReader(await reality.handler(streamRequest({ a: null })), '\n')
    expect((await lines.rest()).length).toBeGreaterThanOrEqual(1)
    expect(reality.stats()).toEqual(idle)
    const once = server({ maxStream: 0 })
    expect(await recordReader(await once.handler(streamRequest({ a: null })), '\n').rest()).toHaveLength(1)
    expect(once.stats()).toEqual(idle)
  })

  it('ends every stream at server close, and answers new ones 503', async () => {
    const reality = server()
    const lines = recordReader(await reality.handler(streamRequest({ a: null })), '\n')
    await lines.next()
    await reality.close()
    expect(await lines.rest()).toEqual([])
    expect(reality.stats()).toEqual(idle)
    expect((await reality.handler(streamRequest({ a: null }))).status).toBe(503)
  })

  it('releases everything when the request is aborted', async () => {
    const reality = server()
    const controller = new AbortController()
    const lines = recordReader(await reality.handler(streamRequest({ a: null }, controller.signal)), '\n')
    await lines.next()
    controller.abort()
    await until(() => reality.stats().held === 0)
    expect(reality.stats()).toEqual(idle)
  })

  it('applies authorize: denied keys on the first line, never streamed; 401 refuses the stream', async () => {
    const reality = server({
      authorize: (request, keys) => {
        if (!request.headers.get('authorization')) throw new RealityAuthError(401, 'Sign in.')
        return keys.filter((key) => !key.startsWith('admin:'))
      },
    })
    const refused = await reality.handler(streamRequest({ a: null }))
    expect(refused.status).toBe(401)
    const response = await reality.handler(syncRequest({ v: 1, known: { a: null, 'admin:x': null }, stream: true }, { headers: { authorization: 'yes' } }))
    const lines = recordReader(response, '\n')
    const first = JSON.parse(await lines.next())
    expect(first.denied).toEqual(['admin:x'])
    expect(Object.keys(first.changed)).toEqual(['a'])
    await reality.invalidate('admin:x', { payload: 'secret' })
    const { a } = await reality.invalidate('a')
    expect(JSON.parse(await lines.next())).toEqual({ v: 1, changed: { a: { version: a } } })
    await lines.cancel()
  })

  it('refuses a bad stream flag with 400 and a store that fails with 503', async () => {
    const reality = server()
    const bad = await reality.handler(syncRequest({ v: 1, known: {}, stream: 'yes' }))
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.code).toBe('invalid_request')
    const broken: VersionStore = { ...memoryVersions(), read: () => Promise.reject(new Error('down')) }
    const failing = server({ versions: broken })
    const response = await failing.handler(streamRequest({ a: null }))
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('5')
    expect(failing.stats()).toEqual(idle)
  })

  it('coalesces changes while the reader does not read (back-pressure), and the last line is the latest version', async () => {
    const reality = server()
    const response = await reality.handler(streamRequest({ a: null }))
    let last = 0
    for (let i = 0; i < 200; i++) last = (await reality.invalidate('a', { payload: i })).a!
    const reader = recordReader(response, '\n')
    const lines = [JSON.parse(await reader.next())]
    while (lines.at(-1).changed.a?.version !== last) lines.push(JSON.parse(await reader.next()))
    expect(lines.length).toBeLessThan(20)
    expect(lines.at(-1).changed.a).toEqual({ version: last, payload: 199 })
    await reader.cancel()
  })
})

async function mount(handler: http.RequestListener): Promise<string> {
  const listener = http.createServer(handler)
  servers.push(listener)
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(listener.address() as AddressInfo).port}/reality/sync`
}

for (const path of ['fast path', 'generic path'] as const) {
  describe(`"stream": true through toNodeHandler, ${path}`, () => {
    const nodeHandler = (reality: RealityServer) => toNodeHandler(path === 'fast path' ? reality.handler : (request) => reality.handler(request))

    it('streams lines as changes happen and releases everything when the client disconnects', async () => {
      const reality = server()
      const url = await mount(nodeHandler(reality))
      const controller = new AbortController()
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ v: 1, known: { a: null }, stream: true }), signal: controller.signal })
      expect(response.headers.get('content-type')).toBe('application/x-ndjson')
      expect(response.headers.get('transfer-encoding')).toBe('chunked')
      const lines = recordReader(response, '\n')
      await lines.next()
      for (let i = 1; i <= 3; i++) {
        const { a } = await reality.invalidate('a', { payload: i })
        expect(JSON.parse(await lines.next()).changed.a).toEqual({ version: a, payload: i })
      }
      controller.abort()
      await until(() => reality.stats().held === 0)
      expect(reality.stats()).toEqual(idle)
    })

    it('waits for the socket to drain: a client that does not read leaves changes coalesced, not queued in memory', async () => {
      const reality = server({ limits: { maxPayloadBytes: 16 * 1024 } })
      const handler = nodeHandler(reality)
      let served: http.ServerResponse | undefined
      const url = new URL(await mount((req, res) => ((served = res), handler(req, res))))
      const big = 'x'.repeat(12 * 1024)
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, resolve)
        request.on('error', reject)
        request.end(JSON.stringify({ v: 1, known: { a: null }, stream: true }))
      })
      response.pause() // read nothing: kernel buffers fill, then Node's write() says false
      let last = 0
      let mostQueued = 0
      for (let i = 0; i < 1500; i++) {
        last = (await reality.invalidate('a', { payload: `${i}${big}` })).a!
        await new Promise((resolve) => setImmediate(resolve)) // let the stream write
        mostQueued = Math.max(mostQueued, served!.writableLength)
      }
      // Without back-pressure all 1,500 changes (18 MB) would sit in Node's buffer.
      expect(mostQueued).toBeLessThan(1024 * 1024)
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.resume()
      await until(() => Buffer.concat(chunks).toString().includes(`"version":${last}`), 10_000_000)
      response.destroy()
      await until(() => reality.stats().held === 0, 10_000_000)
    })
  })
}
