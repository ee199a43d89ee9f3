import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { SyncResponse } from '../protocol/types.js'
import { createRealityServer, type RealityServer } from '../server/index.js'
import { toNodeHandler } from '../server/node.js'
import { RealityError } from '../store/index.js'
import { readStream } from './ndjson.js'

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function listen(listener: RequestListener): Promise<string> {
  const http = createServer(listener)
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  cleanup.push(() => new Promise((resolve) => (http.close(resolve), http.closeAllConnections())))
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}/reality/sync`
}

async function reality(options: Parameters<typeof createRealityServer>[0] = {}): Promise<{ server: RealityServer; endpoint: string }> {
  const server = createRealityServer({ onError: () => {}, ...options })
  cleanup.push(() => server.close())
  return { server, endpoint: await listen(toNodeHandler(server.handler)) }
}

/** A server that answers every request with these raw NDJSON chunks, then ends. */
function rawStream(chunks: string[]): RequestListener {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' })
    for (const chunk of chunks) res.write(chunk)
    res.end()
  }
}

describe('readStream over real loopback HTTP', () => {
  it('hands over every line as it arrives, a key changed twice twice, and stops on abort', async () => {
    const { server, endpoint } = await reality()
    const answers: SyncResponse[] = []
    const controller = new AbortController()
    const done = readStream({ endpoint }, { v: 1, known: { a: null } }, controller.signal, (answer) => answers.push(answer))
    await expect.poll(() => answers.length).toBe(1)
    const { a: first } = await server.invalidate('a', { payload: 'one' })
    await expect.poll(() => answers.length).toBe(2)
    const { a: second } = await server.invalidate('a', { payload: 'two' })
    await expect.poll(() => answers.length).toBe(3)
    expect(answers.slice(1)).toEqual([
      { v: 1, changed: { a: { version: first, payload: 'one' } } },
      { v: 1, changed: { a: { version: second, payload: 'two' } } },
    ])
    controller.abort()
    await expect(done).rejects.toThrow()
    await expect.poll(() => server.stats().held).toBe(0)
  })

  it('resolves when the server ends the stream (maxStream)', async () => {
    const { endpoint } = await reality({ maxStream: 0 })
    const answers: SyncResponse[] = []
    await readStream({ endpoint }, { v: 1, known: { a: null } }, new AbortController().signal, (answer) => answers.push(answer))
    expect(answers).toHaveLength(1)
  })

  it('takes a plain JSON answer (a server that does not stream) as one answer', async () => {
    const endpoint = await listen((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"v":1,"changed":{"a":{"version":3}}}'))
    const answers: SyncResponse[] = []
    await readStream({ endpoint }, { v: 1, known: { a: null } }, new AbortController().signal, (answer) => answers.push(answer))
    expect(answers).toEqual([{ v: 1, changed: { a: { version: 3 } } }])
  })

  it('splits lines across chunks and chunks across lines', async () => {
    const endpoint = await listen(rawStream(['{"v":1,"chan', 'ged":{}}\n{"v":1,"changed":{"a":{"version":1}}}\n\n{"v":1,', '"changed":{"a":{"version":2}}}\n']))
    const answers: SyncResponse[] = []
    await readStream({ endpoint }, { v: 1, known: { a: null } }, new AbortController().signal, (answer) => answers.push(answer))
    expect(answers.map((answer) => answer.changed.a?.version)).toEqual([undefined, 1, 2])
  })

  it.each([
    ['a truncated last line', ['{"v":1,"changed":{}}\n{"v":1,"chan'], /ended mid-line/],
    ['a line that is not JSON', ['{"v":1,"changed":{}}\n<html>\n'], /not JSON/],
  ])('rejects %s as a retryable sync_failed (no status)', async (_, chunks, message) => {
    const endpoint = await listen(rawStream(chunks))
    const answers: SyncResponse[] = []
    const error = await readStream({ endpoint }, { v: 1, known: { a: null } }, new AbortController().signal, (answer) => answers.push(answer)).catch((e) => e)
    expect(error).toBeInstanceOf(RealityError)
    expect(error.code).toBe('sync_failed')
    expect(error.status).toBeUndefined() // retried with backoff, like a network failure
    expect(error.message).toMatch(message)
    expect(answers).toHaveLength(1)
  })

  it('rejects a line that is not a v1 answer as protocol_mismatch, and HTTP errors like sync', async () => {
    const wrong = await listen(rawStream(['{"v":2,"changed":{}}\n']))
    await expect(readStream({ endpoint: wrong }, { v: 1, known: {} }, new AbortController().signal, () => {})).rejects.toMatchObject({ code: 'protocol_mismatch' })
    const busy = await listen((_req, res) => res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' }).end('{"error":{"code":"unavailable","message":"Later."}}'))
    await expect(readStream({ endpoint: busy }, { v: 1, known: {} }, new AbortController().signal, () => {})).rejects.toMatchObject({ code: 'sync_failed', status: 503, retryAfter: 5000 })
  })

  it('rejects a connection cut mid-stream as sync_failed', async () => {
    const endpoint = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' })
      res.write('{"v":1,"changed":{}}\n')
      setTimeout(() => res.destroy(), 20)
    })
    await expect(readStream({ endpoint }, { v: 1, known: {} }, new AbortController().signal, () => {})).rejects.toMatchObject({ code: 'sync_failed' })
  })
})
