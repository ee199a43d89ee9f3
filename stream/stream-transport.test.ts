import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createRealityServer, type RealityServer } from '../server/index.js'
import { toNodeHandler } from '../server/node.js'
import { createStore, type Store } from '../store/index.js'
import { FIRST_LINE_MS, streamTransport } from './stream-transport.js'
import { inspect } from '../devtools/index.js'

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
  vi.restoreAllMocks()
})

interface Served {
  reality: RealityServer
  endpoint: string
  /** Sync requests received, and how many of them asked to stream. */
  requests: { all: number; streams: number }
}

/** A real Reality server on 127.0.0.1 that counts the sync requests it gets. `intercept` may answer a request itself. */
async function serve(options: Parameters<typeof createRealityServer>[0] = {}, intercept?: (body: any, res: Parameters<RequestListener>[1]) => boolean): Promise<Served> {
  const reality = createRealityServer({ onError: () => {}, ...options })
  const handler = toNodeHandler((request) => reality.handler(request))
  const requests = { all: 0, streams: 0 }
  const http = createServer((req, res) => {
    let text = ''
    req.setEncoding('utf8').on('data', (chunk) => (text += chunk))
    req.on('end', () => {
      const body = JSON.parse(text)
      requests.all++
      if (body.stream) requests.streams++
      if (intercept?.(body, res)) return
      ;(req as { body?: unknown }).body = body
      handler(req, res)
    })
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  cleanup.push(async () => {
    await reality.close()
    http.closeAllConnections()
    await new Promise((resolve) => http.close(resolve))
  })
  return { reality, requests, endpoint: `http://127.0.0.1:${(http.address() as AddressInfo).port}/reality/sync` }
}

function store(endpoint: string): Store {
  const created = createStore({ transport: streamTransport({ endpoint }), grace: 0 })
  cleanup.push(() => created.destroy())
  return created
}

describe('streamTransport over a real loopback server', () => {
  it('delivers every change through one open request, with payloads and with a fetcher', async () => {
    const { reality, endpoint, requests } = await serve()
    const db: Record<string, string> = { fetched: 'f0' }
    await reality.invalidate('pushed', { payload: 'p0' }) // payloads apply over exact data (store/node.ts)
    const s = store(endpoint)
    const pushed = s.node('pushed', { fetcher: async () => 'initial' })
    const fetched = s.node('fetched', { fetcher: async (key) => db[key] })
    pushed.subscribe(() => {})
    fetched.subscribe(() => {})
    await expect.poll(() => fetched.get().data).toBe('f0')
    await expect.poll(() => s.status.get()).toBe('live')
    await expect.poll(() => reality.stats().held).toBe(1) // the stream is open (live came with the first, quick check)
    const opened = requests.all
    for (let i = 1; i <= 5; i++) {
      await reality.invalidate('pushed', { payload: `p${i}` })
      await expect.poll(() => pushed.get().data).toBe(`p${i}`)
      db.fetched = `f${i}`
      await reality.invalidate('fetched')
      await expect.poll(() => fetched.get().data).toBe(`f${i}`)
    }
    expect(requests.all).toBe(opened) // ten changes, no new request
    expect(requests.streams).toBeGreaterThanOrEqual(1)
    s.destroy()
    await expect.poll(() => reality.stats().held).toBe(0)
    expect(s.debug()).toMatchObject({ timers: 0, requests: 0, fetches: 0 })
  })

  it('reopens the stream when a key is added, and only then', async () => {
    const { reality, endpoint, requests } = await serve()
    const s = store(endpoint)
    const a = s.node('a', { fetcher: async () => 'A' })
    a.subscribe(() => {})
    await expect.poll(() => a.get().data).toBe('A')
    await expect.poll(() => reality.stats().held).toBe(1)
    const before = requests.streams
    await reality.invalidate('b', { payload: 'B' })
    const b = s.node('b', { fetcher: async () => 'fetched' })
    b.subscribe(() => {})
    await expect.poll(() => b.get().data).toBe('B')
    await expect.poll(() => requests.streams).toBe(before + 1)
    await reality.invalidate('b', { payload: 'B2' })
    await expect.poll(() => b.get().data).toBe('B2')
    expect(requests.streams).toBe(before + 1)
    await expect.poll(() => reality.stats().held).toBe(1) // the old stream was closed
  })

  it('reports a change again after a failed fetch (no lost update)', async () => {
    const { reality, endpoint } = await serve()
    let fail = false
    let value = 'v0'
    const s = store(endpoint)
    const node = s.node('k', {
      fetcher: async () => {
        if (fail) throw new Error('down')
        return value
      },
    })
    node.subscribe(() => {})
    await expect.poll(() => node.get().data).toBe('v0')
    fail = true
    value = 'v1'
    await reality.invalidate('k')
    await expect.poll(() => node.get().status).toBe('error')
    fail = false
    await expect.poll(() => node.get().data, { timeout: 20_000 }).toBe('v1')
  })

  it('reopens the stream for a cached key watched again whose new version the open stream reported while it was unwatched (no lost update)', async () => {
    const { reality, endpoint } = await serve()
    await reality.invalidate('keep', { payload: 'kept' })
    const s = store(endpoint)
    const keep = s.node('keep', { fetcher: async () => 'kept' })
    keep.subscribe(() => {})
    const stop = s.node('k', { fetcher: async () => 'x' }).subscribe(() => {})
    await expect.poll(() => s.node('k', { fetcher: async () => 'x' }).get().version).not.toBeNull()
    stop()
    await expect.poll(() => inspect(s).nodes.find((node) => node.key === 'k')?.state).toBe('cached') // unwatched; the stream still carries it
    const { k: latest } = await reality.invalidate(['k', 'keep'], { payload: 'changed' })
    await expect.poll(() => keep.get().data).toBe('changed') // the stream has reported k's new version too
    const again = s.node('k', { fetcher: async () => 'x' })
    again.subscribe(() => {})
    await expect.poll(() => again.get().version).toBe(latest)
  })

  it('reopens the stream when the server ends it (maxStream)', async () => {
    const { reality, endpoint, requests } = await serve({ maxStream: 300 })
    await reality.invalidate('k', { payload: 'x' })
    const s = store(endpoint)
    const node = s.node('k', { fetcher: async () => 'x' })
    node.subscribe(() => {})
    await expect.poll(() => requests.streams, { timeout: 15_000 }).toBeGreaterThanOrEqual(3)
    await reality.invalidate('k', { payload: 'pushed' })
    await expect.poll(() => node.get().data).toBe('pushed')
    expect(s.status.get()).toBe('live')
  })

  it('falls back to long-poll for good when the first line does not come within 3 s, saying so once', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const swallowed: Parameters<RequestListener>[1][] = []
    const { reality, endpoint, requests } = await serve({}, (body, res) => {
      if (!body.stream) return false
      swallowed.push(res) // a proxy that buffers the whole answer: nothing arrives
      return true
    })
    cleanup.push(() => swallowed.forEach((res) => res.destroy()))
    await reality.invalidate('k', { payload: 'x' })
    const s = store(endpoint)
    const node = s.node('k', { fetcher: async () => 'x' })
    node.subscribe(() => {})
    await expect.poll(() => node.get().data, { timeout: 15_000 }).toBe('x')
    await expect.poll(() => reality.stats().held, { timeout: 15_000 }).toBe(1) // a held long-poll
    await reality.invalidate('k', { payload: 'pushed' })
    await expect.poll(() => node.get().data).toBe('pushed')
    expect(requests.streams).toBe(1)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]![0])).toMatch(/long-polls from now on/)
  })

  it('a stream closed before its first line (store destroyed) neither falls back nor warns, and leaves nothing open', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const swallowed: Parameters<RequestListener>[1][] = []
    const { reality, endpoint, requests } = await serve({}, (body, res) => {
      if (!body.stream) return false
      swallowed.push(res)
      return true
    })
    cleanup.push(() => swallowed.forEach((res) => res.destroy()))
    await reality.invalidate('k', { payload: 'x' })
    const s = store(endpoint)
    s.node('k', { fetcher: async () => 'x' }).subscribe(() => {})
    await expect.poll(() => requests.streams, { timeout: 15_000 }).toBe(1)
    s.destroy()
    await expect.poll(() => swallowed[0]?.destroyed || swallowed[0]?.closed, { timeout: 15_000 }).toBe(true) // the client aborted it
    await new Promise((resolve) => setTimeout(resolve, FIRST_LINE_MS + 500)) // past the first-line watch
    expect(warn).not.toHaveBeenCalled()
  })

  it('backs off with Retry-After on a 503 and shows reconnecting, then streams again', async () => {
    let refuse = 1
    const { endpoint, reality } = await serve({}, (body, res) => {
      if (!body.stream || refuse-- <= 0) return false
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"error":{"code":"unavailable","message":"Later."}}')
      return true
    })
    await reality.invalidate('k', { payload: 'x' })
    const s = store(endpoint)
    const node = s.node('k', { fetcher: async () => 'x' })
    const statuses: string[] = []
    s.status.subscribe((status) => statuses.push(status))
    node.subscribe(() => {})
    // The first (quick) answer may show `live` before the refused stream: wait for the refusal, then for `live` again.
    await expect.poll(() => statuses.includes('reconnecting'), { timeout: 15_000 }).toBe(true)
    await expect.poll(() => s.status.get(), { timeout: 15_000 }).toBe('live')
    await reality.invalidate('k', { payload: 'pushed' })
    await expect.poll(() => node.get().data).toBe('pushed')
  })
})
