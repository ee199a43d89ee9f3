/**
 * The loopback-HTTP half of `bench/held-polls.ts`: `count` real connections
 * each holding one long-poll on a node:http + toNodeHandler server in its
 * own process; heap per held request on the server, and the time from one
 * invalidate to every answer arriving here.
 */
import http from 'node:http'
import { summarize } from './percentiles.js'
import { startServerProcess } from './server-process.js'

interface Stats {
  waiters: number
  held: number
  timers: number
  abortListeners: number
  subscriptions: number
}

/**
 * Holds `count` long-polls over HTTP and wakes them all with one invalidate.
 *
 * @example
 * const figures = await heldOverHttp(10_000)
 */
export async function heldOverHttp(count: number) {
  const server = await startServerProcess(new URL('./held-polls-server.ts', import.meta.url).pathname, {}, ['--expose-gc'])
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity })
  /** Polls the server's stats over IPC until `condition` holds. */
  const serverStats = async (condition: (stats: Stats) => boolean, what: string): Promise<Stats> => {
    const deadline = performance.now() + 30_000
    for (;;) {
      const stats = await server.command<Stats>('stats')
      if (condition(stats)) return stats
      if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(stats)}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  const requests: http.ClientRequest[] = []
  try {
    const hot = await server.command<number>('invalidate')
    // Never-written keys read as the store's floor version: one sync learns it.
    const probe = await fetch(`http://127.0.0.1:${server.port}/reality/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"v":1,"known":{"user:0":null}}' })
    const floor = ((await probe.json()) as { changed: Record<string, { version: number }> }).changed['user:0']!.version
    const heapBefore = await server.command<number>('heap')
    const arrived: number[] = []
    let wakeStart = 0
    let failures = 0
    const answers: Promise<void>[] = []
    const open = (i: number) => {
      const body = JSON.stringify({ v: 1, known: { hot, [`user:${i}`]: floor }, wait: 100_000 })
      answers.push(
        new Promise<void>((resolve) => {
          const request = http.request(
            { host: '127.0.0.1', port: server.port, path: '/reality/sync', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
            (response) => {
              response.resume()
              response.on('end', () => {
                arrived.push(performance.now() - wakeStart)
                if (response.statusCode !== 200) failures++
                resolve()
              })
            },
          )
          request.on('error', () => {
            failures++
            resolve()
          })
          request.end(body)
          requests.push(request)
        }),
      )
    }
    // Batches, so the listen backlog never overflows into SYN retries.
    for (let i = 0; i < count; i += 500) {
      for (let j = i; j < Math.min(count, i + 500); j++) open(j)
      const target = Math.min(count, i + 500)
      await serverStats((stats) => stats.waiters >= target, `${target} held over HTTP`)
    }
    const heapHeld = await server.command<number>('heap')
    const statsHeld = await server.command<Stats>('stats')
    wakeStart = performance.now()
    await server.command('invalidate')
    await Promise.all(answers)
    const allAnsweredMs = performance.now() - wakeStart
    const statsAfter = await serverStats((stats) => stats.held === 0, 'every hold released')
    const wake = summarize(arrived)
    const round = (n: number) => Number(n.toFixed(3))
    return {
      held: count,
      failures,
      heapBytesPerHeld: Math.round((heapHeld - heapBefore) / count),
      statsWhileHeld: statsHeld,
      wakeAllAfterOneInvalidate: { allAnsweredMs: round(allAnsweredMs), p50Ms: round(wake.p50), p99Ms: round(wake.p99), maxMs: round(wake.max) },
      statsAfter,
    }
  } finally {
    for (const request of requests) request.destroy()
    agent.destroy()
    await server.stop()
  }
}
