/**
 * Seeded fuzz of the handler: random and mutated bodies, headers and
 * methods. Only 200 (204 for OPTIONS) and 4xx may come back, every body is
 * a well-formed answer, and no request changes a version. Reproduce a
 * failure with REALITY_FUZZ_SEED=<seed printed in the failure>.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { createRealityServer } from './create-server.js'
import { toNodeHandler } from './node-handler.js'
import { memoryVersions } from './versions/memory.js'

const CASES = 10_000
const SEED = process.env.REALITY_FUZZ_SEED ? Number(process.env.REALITY_FUZZ_SEED) : Date.now() % 2 ** 32

/** mulberry32: small, fast, good enough to drive a fuzzer. */
function prng(seed: number) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!
  return { next, int, pick, chance: (p: number) => next() < p }
}
type Rng = ReturnType<typeof prng>

const KEYS = ['a', 'user:42', 'chat:room:general', '__proto__', 'constructor', 'hasOwnProperty', 'toString', 'admin:stats', 'é', '🔑', 'k'.repeat(256)]
const ODD_KEYS = ['', 'k'.repeat(257), 'a\u0000', 'b\n', '\u007f', '\u0085x', ' ', '"', '\\']
const VERSIONS: unknown[] = [null, 0, 1, 1732271234567001, -1, 1.5, 2 ** 53, Number.MAX_SAFE_INTEGER, '1', true, {}, [], 1e308]
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'json', 'application/json;;;', 'application/json; charset="utf-8"']
const METHODS = ['POST', 'POST', 'POST', 'POST', 'POST', 'POST', 'GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'FOO', 'post']
const ORIGINS = ['https://app.example.com', 'https://evil.example.com', 'null', 'https://app.example.com.evil.com']

function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 5 : 7)) {
    case 0: return null
    case 1: return rng.pick(VERSIONS)
    case 2: return rng.pick([...KEYS, ...ODD_KEYS])
    case 3: return rng.chance(0.5)
    case 4: return rng.next() * 1e6 - 5e5
    case 5: return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1))
    default: return Object.fromEntries(Array.from({ length: rng.int(4) }, () => [rng.pick([...KEYS, 'v', 'known', 'wait']), randomValue(rng, depth + 1)]))
  }
}

function validBody(rng: Rng): Record<string, unknown> {
  const known: Record<string, unknown> = {}
  for (let i = rng.int(8); i > 0; i--) known[rng.pick(rng.chance(0.9) ? KEYS : ODD_KEYS)] = rng.chance(0.85) ? rng.pick(VERSIONS.slice(0, 4)) : rng.pick(VERSIONS)
  const body: Record<string, unknown> = { v: rng.chance(0.9) ? 1 : rng.pick([0, 2, '1', null, 1.0]), known }
  if (rng.chance(0.3)) body.wait = rng.pick([0, 1, 25_000, -1, 1.5, '10', null, 2 ** 60])
  if (rng.chance(0.1)) body[rng.pick(['extra', '__proto__', 'constructor'])] = randomValue(rng)
  return body
}

function mutate(rng: Rng, text: string): string {
  let out = text
  for (let i = 1 + rng.int(3); i > 0; i--) {
    const at = rng.int(out.length + 1)
    switch (rng.int(7)) {
      case 0: out = out.slice(0, at) + out.slice(at + 1 + rng.int(4)); break // delete
      case 1: out = out.slice(0, at) + rng.pick(['{', '}', '[', ']', '"', ',', ':', '\\', '\u0000', 'null', '1e999', '-0', '\ud800']) + out.slice(at); break
      case 2: out = out.slice(0, at); break // truncate
      case 3: out = out + out.slice(at); break // duplicate a tail (duplicate keys)
      case 4: out = out.replace(/"[^"]*"/, `"${rng.pick([...KEYS, ...ODD_KEYS]).replace(/["\\]/g, '')}"`); break
      case 5: out = ' \n\t'.slice(0, rng.int(4)) + out; break
      default: out = out.replace(/\d+/, String(rng.pick([-1, 1.5, 1e21, 9007199254740993]))); break
    }
  }
  return out
}

function randomBody(rng: Rng): string | Uint8Array<ArrayBuffer> {
  const roll = rng.int(10)
  if (roll < 4) return JSON.stringify(validBody(rng))
  if (roll < 7) return mutate(rng, JSON.stringify(validBody(rng)))
  if (roll === 7) return JSON.stringify(randomValue(rng))
  if (roll === 8) return Uint8Array.from({ length: rng.int(64) }, () => rng.int(256)) // often invalid UTF-8
  return JSON.stringify({ v: 1, known: Object.fromEntries(Array.from({ length: 20 + rng.int(200) }, (_, i) => [`key:${i}:${'x'.repeat(rng.int(40))}`, 0])) }) // near and over the size limits
}

function randomRequest(rng: Rng): Request {
  const method = rng.pick(METHODS)
  const headers = new Headers()
  if (rng.chance(0.9)) headers.set('content-type', rng.pick(CONTENT_TYPES))
  if (rng.chance(0.15)) headers.set('content-length', rng.pick(['0', '10', '999999999', '-1', 'abc', '1e3', ' 12 ']))
  if (rng.chance(0.3)) headers.set('origin', rng.pick(ORIGINS))
  if (rng.chance(0.1)) headers.set('access-control-request-method', rng.pick(['POST', 'GET']))
  if (rng.chance(0.1)) headers.set('x-user', rng.pick(['admin', 'guest']))
  const body = method === 'GET' || method === 'HEAD' ? null : randomBody(rng)
  return new Request('http://fuzz.test/reality/sync', { method, headers, body })
}

describe('handler fuzz', () => {
  it(`answers ${CASES} random and mutated requests with 200 or 4xx and changes nothing (seed ${SEED})`, async () => {
    const versions = memoryVersions()
    const internal: unknown[] = []
    const plain = createRealityServer({ versions, maxWait: 0, limits: { maxBodyBytes: 4096, maxKeys: 100 }, onError: (error) => internal.push(error) })
    const guarded = createRealityServer({
      versions,
      maxWait: 0,
      cors: { origins: ['https://app.example.com'], credentials: true },
      authorize: (request, keys) => (request.headers.get('x-user') === 'admin' ? keys : keys.filter((key) => !key.startsWith('admin:'))),
      onError: (error) => internal.push(error),
    })
    await plain.invalidate(KEYS.slice(0, 6), { hash: 'h', payload: { x: 1 } })
    await plain.invalidate(['admin:stats'])
    const before = await plain.getVersions(KEYS)
    let bumps = 0
    const unsubscribe = await versions.subscribe(() => bumps++)
    const rng = prng(SEED)
    const statuses = new Map<number, number>()
    for (let i = 0; i < CASES; i++) {
      const request = randomRequest(rng)
      const server = rng.chance(0.5) ? plain : guarded
      const response = await server.handler(request)
      const where = `seed ${SEED}, case ${i}: ${request.method} ${request.headers.get('content-type')}`
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
      const okStatus = response.status === 200 || (response.status === 204 && request.method === 'OPTIONS') || (response.status >= 400 && response.status < 500)
      expect(okStatus, `${where} → ${response.status} ${await response.clone().text()}`).toBe(true)
      if (response.status === 204) continue
      const body = (await response.json()) as { v?: number; changed?: object; error?: { code: string; message: string } }
      if (response.status === 200) expect(body.v === 1 && typeof body.changed === 'object', where).toBe(true)
      else expect(typeof body.error?.code === 'string' && typeof body.error.message === 'string', where).toBe(true)
      if (response.status === 200 && request.headers.get('x-user') !== 'admin' && server === guarded) {
        expect(JSON.stringify(body.changed), where).not.toContain('admin:stats')
      }
    }
    unsubscribe()
    expect(internal, `seed ${SEED}`).toEqual([])
    expect(bumps, `seed ${SEED}`).toBe(0)
    expect(await plain.getVersions(KEYS), `seed ${SEED}`).toEqual(before)
    expect(plain.stats()).toMatchObject({ held: 0, timers: 0, waiters: 0, subscriptions: 0 })
    expect(guarded.stats()).toMatchObject({ held: 0, timers: 0, waiters: 0, subscriptions: 0 })
    // The generator must reach both the success path and the errors.
    for (const status of [200, 400, 405, 413, 415]) expect(statuses.get(status) ?? 0, `status ${status} never produced (seed ${SEED})`).toBeGreaterThan(50)
  })
})

describe('node adapter fuzz', () => {
  it(`answers 1,000 random requests over node:http with 200/204/4xx JSON and changes nothing (seed ${SEED})`, async () => {
    const versions = memoryVersions()
    const internal: unknown[] = []
    const reality = createRealityServer({
      versions,
      maxWait: 0,
      limits: { maxBodyBytes: 4096, maxKeys: 100 },
      cors: { origins: ['https://app.example.com'] },
      onError: (error) => internal.push(error),
    })
    await reality.invalidate(KEYS.slice(0, 6), { payload: { x: 1 } })
    const before = await reality.getVersions(KEYS)
    const server = http.createServer(toNodeHandler(reality.handler))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
    const rng = prng(SEED ^ 0x5eed)
    try {
      for (let i = 0; i < 1000; i++) {
        const generated = randomRequest(rng)
        // HTTP framing stays valid here: the client sets the length (or chunks),
        // and llhttp itself refuses unknown methods before any handler runs.
        const method = ['FOO', 'post'].includes(generated.method) ? 'POST' : generated.method
        const headers: Record<string, string> = {}
        generated.headers.forEach((value, name) => {
          if (name !== 'content-length') headers[name] = value
        })
        const body = method === 'GET' || method === 'HEAD' ? undefined : Buffer.from(await generated.arrayBuffer())
        if (body && rng.chance(0.3)) headers['transfer-encoding'] = 'chunked'
        else if (body) headers['content-length'] = String(body.byteLength) // Node only chunks POST/PUT/PATCH by default
        const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
          const request = http.request({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', path: '/reality/sync', method, headers, agent }, (response) => {
            const parts: Buffer[] = []
            response.on('data', (part: Buffer) => parts.push(part))
            response.on('end', () => resolve({ status: response.statusCode!, text: Buffer.concat(parts).toString() }))
          })
          request.on('error', reject)
          request.end(body)
        })
        const where = `seed ${SEED}, case ${i}: ${method} ${headers['content-type']} → ${status} ${text.slice(0, 200)}`
        expect(status === 200 || (status === 204 && method === 'OPTIONS') || (status >= 400 && status < 500), where).toBe(true)
        if (method !== 'HEAD' && status !== 204) expect(() => JSON.parse(text), where).not.toThrow()
      }
    } finally {
      agent.destroy()
      await new Promise((resolve) => server.close(resolve))
    }
    expect(internal, `seed ${SEED}`).toEqual([])
    expect(await reality.getVersions(KEYS), `seed ${SEED}`).toEqual(before)
    expect(reality.stats()).toMatchObject({ held: 0, timers: 0, waiters: 0, subscriptions: 0 })
  })
})
