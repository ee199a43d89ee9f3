/**
 * The chaos suite's load balancer: a node:http proxy on 127.0.0.1 that
 * sends each request to a random instance (non-sticky), passes client
 * disconnects upstream, and injects faults on demand: one instance
 * answering 404, an HTML 200 (a misrouted request) or a truncated 200, and
 * 503 bursts with Retry-After. Counts sync requests for the storm check.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * How an instance misbehaves while a fault is on.
 *
 * @example
 * balancer.misroute(0, 'html', 1500)
 */
export type Misbehaviour = '404' | 'html' | 'truncated'

/**
 * A running balancer; see {@link startBalancer}.
 *
 * @example
 * const balancer = await startBalancer()
 * balancer.setBackends([port1, port2, port3])
 */
export interface Balancer {
  readonly url: string
  /** The instance ports requests are spread over (a dead or frozen one stays listed, as with a real balancer). */
  setBackends(ports: number[]): void
  /** Makes instance `index` misbehave for `ms`. */
  misroute(index: number, how: Misbehaviour, ms: number): void
  /** Answers every sync request 503 with `Retry-After: retryAfterSeconds` for `ms`. */
  overload(ms: number, retryAfterSeconds: number): void
  /** Sync requests received so far. */
  syncRequests(): number
  close(): Promise<void>
}

/**
 * Starts the balancer on a free port.
 *
 * @example
 * const balancer = await startBalancer()
 */
export async function startBalancer(): Promise<Balancer> {
  let backends: number[] = []
  const misrouted = new Map<number, { how: Misbehaviour; until: number }>()
  let overloadedUntil = 0
  let overloadRetryAfter = 1
  let syncCount = 0

  const server = http.createServer((req, res) => {
    const isSync = (req.url ?? '').startsWith('/reality/sync')
    if (isSync) syncCount++
    const now = Date.now()
    if (isSync && now < overloadedUntil) {
      req.resume()
      return void res.writeHead(503, { 'retry-after': String(overloadRetryAfter), 'content-type': 'application/json' }).end('{"error":{"code":"unavailable","message":"balancer overload"}}')
    }
    const index = Math.floor(Math.random() * backends.length)
    const fault = misrouted.get(index)
    if (isSync && fault && now < fault.until) {
      req.resume()
      if (fault.how === '404') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found')
      if (fault.how === 'html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Welcome</title>')
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '40' })
      res.write('{"v":1,"changed":{"k')
      return void setTimeout(() => res.destroy(), 10)
    }
    const upstream = http.request({ host: '127.0.0.1', port: backends[index], method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
      answer.on('error', () => res.destroy())
    })
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway')
      else res.destroy()
    })
    // The client left (a deadline, destroy()): so does the upstream request.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy()
    })
    req.pipe(upstream)
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    setBackends(ports) {
      backends = [...ports]
    },
    misroute(index, how, ms) {
      misrouted.set(index, { how, until: Date.now() + ms })
    },
    overload(ms, retryAfterSeconds) {
      overloadedUntil = Date.now() + ms
      overloadRetryAfter = retryAfterSeconds
    },
    syncRequests: () => syncCount,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
