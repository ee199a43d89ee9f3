import { createServer } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { startDelayProxy, type DelayProxy } from './delay-proxy.js'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step()
})

describe('startDelayProxy', () => {
  it('forwards HTTP both ways, in order, and adds at least the delay each way', async () => {
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk) => (body += chunk)).on('end', () => res.end(`echo:${body}`))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanup.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))))
    const proxy: DelayProxy = await startDelayProxy((server.address() as { port: number }).port, 20)
    cleanup.push(() => proxy.close())
    const started = performance.now()
    const response = await fetch(`http://127.0.0.1:${proxy.port}/`, { method: 'POST', body: 'x'.repeat(100_000) })
    expect(await response.text()).toBe(`echo:${'x'.repeat(100_000)}`)
    // A lower bound only (the delay is added, never removed): safe under any CPU load.
    expect(performance.now() - started).toBeGreaterThanOrEqual(40)
  })
})
