import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { expect, it } from 'vitest'
import { toNodeHandler } from './node-handler.js'

// Node's Request follows the signal it is given through a weak reference.
// A handler that keeps only `request.signal` while it waits (as a held
// long-poll does) must still hear the client leave after a garbage collection.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

it('propagates a client disconnect to request.signal even after a GC (generic handlers)', async () => {
  let aborted = 0
  let waiting = 0
  const handler = async (request: Request) => {
    const signal = request.signal
    waiting++
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => (aborted++, resolve()), { once: true }))
    return new Response('late')
  }
  const server = http.createServer(toNodeHandler(handler))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const clients = Array.from({ length: 10 }, () => new AbortController())
  const pending = clients.map((client) => fetch(url, { method: 'POST', body: 'x', signal: client.signal }).catch(() => {}))
  while (waiting < clients.length) await new Promise((resolve) => setTimeout(resolve, 10))
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  clients.forEach((client) => client.abort())
  await Promise.all(pending)
  const started = Date.now()
  while (aborted < clients.length && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 10))
  expect(aborted).toBe(clients.length)
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})
