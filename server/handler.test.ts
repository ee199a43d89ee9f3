import { describe, expect, it, vi } from 'vitest'
import { createRealityServer } from './create-server.js'
import { syncRequest } from './test-requests.js'
import type { VersionStore } from './version-store.js'
import { memoryVersions } from './versions/memory.js'

const quiet = { onError: () => {} }

async function errorOf(response: Response) {
  const body = (await response.json()) as { error: { code: string; message: string; issues?: unknown[] } }
  return { status: response.status, ...body.error }
}

describe('handler: successful syncs', () => {
  it("answers changed keys (a never-written key is the store's floor version) and omits equal ones", async () => {
    const server = createRealityServer()
    const { a } = await server.invalidate(['a'], { hash: 'h' })
    // Never-written keys read as one floor version of this server: above 0 and below every bump.
    const { c: floor } = await server.getVersions('c')
    expect(floor).toBeGreaterThan(0)
    expect(a).toBeGreaterThan(floor!)
    const response = await server.handler(syncRequest({ v: 1, known: { a: null, b: null, c: floor } }))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual({ v: 1, changed: { a: { version: a, hash: 'h' }, b: { version: floor } } })
    const same = await server.handler(syncRequest({ v: 1, known: { a, c: floor } }))
    expect(await same.json()).toEqual({ v: 1, changed: {} })
    const { b } = await server.invalidate('b')
    expect(b).toBeGreaterThan(floor!)
  })

  it('treats __proto__, constructor and hasOwnProperty as ordinary keys end to end', async () => {
    const server = createRealityServer()
    const versions = await server.invalidate(['__proto__', 'constructor', 'hasOwnProperty'])
    expect(Object.keys(versions).sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty'])
    // toString was never written: the client holds its floor version, so it is not in `changed`.
    const { toString: floor } = await server.getVersions('toString')
    const text = `{"v":1,"known":{"__proto__":null,"constructor":null,"hasOwnProperty":1,"toString":${floor}}}`
    const response = await server.handler(syncRequest(text))
    const body = await response.text()
    const parsed = JSON.parse(body) as { changed: Record<string, { version: number }> }
    expect(Object.keys(parsed.changed).sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty'])
    expect(Object.getOwnPropertyDescriptor(parsed.changed, '__proto__')!.value).toEqual({ version: versions['__proto__'] })
    expect(parsed.changed.constructor).toEqual({ version: versions.constructor })
    expect(await server.getVersions(['__proto__', 'toString'])).toEqual(Object.assign(Object.create(null), { ['__proto__']: versions['__proto__'], toString: floor }))
  })

  it('accepts a charset=utf-8 content type in any case and quoting', async () => {
    const server = createRealityServer()
    for (const type of ['application/json; charset=utf-8', 'Application/JSON;Charset="UTF-8"', 'application/json ; charset=utf8']) {
      const response = await server.handler(syncRequest({ v: 1, known: {} }, { headers: { 'content-type': type } }))
      expect(response.status).toBe(200)
    }
  })
})

describe('handler: every error of the table', () => {
  const server = createRealityServer(quiet)

  it('405 with Allow for other methods', async () => {
    for (const method of ['HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const request = new Request('http://x/', { method, ...(method === 'HEAD' ? {} : { body: '{}' }) })
      const response = await server.handler(request)
      if (method !== 'HEAD') expect(await errorOf(response)).toMatchObject({ status: 405, code: 'method_not_allowed' })
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe('GET, POST')
    }
  })

  it('415 without or with another content type or charset', async () => {
    const noType = new Request('http://x/', { method: 'POST', body: new Uint8Array([123, 125]) })
    expect(await errorOf(await server.handler(noType))).toMatchObject({ status: 415, code: 'unsupported_media_type' })
    for (const type of ['text/plain', 'application/jsonx', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']) {
      const response = await server.handler(syncRequest({ v: 1, known: {} }, { headers: { 'content-type': type } }))
      expect(await errorOf(response)).toMatchObject({ status: 415, code: 'unsupported_media_type' })
    }
  })

  it('413 from Content-Length alone, without reading the body', async () => {
    const pull = vi.fn()
    const body = new ReadableStream({ pull }, { highWaterMark: 0 }) // pulled only when read
    const request = new Request('http://x/', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(64 * 1024 + 1) },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(await errorOf(await server.handler(request))).toMatchObject({ status: 413, code: 'payload_too_large' })
    expect(pull).not.toHaveBeenCalled()
  })

  it('413 for a chunked body with no length, and stops reading it', async () => {
    let pulled = 0
    let cancelled = false
    const chunk = new Uint8Array(16 * 1024).fill(32)
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(chunk) // endless
      },
      cancel() {
        cancelled = true
      },
    })
    const request = new Request('http://x/', { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit)
    expect(await errorOf(await server.handler(request))).toMatchObject({ status: 413, code: 'payload_too_large' })
    expect(cancelled).toBe(true)
    expect(pulled).toBeLessThanOrEqual(6)
  })

  it('413 for a string body over the limit sent without a length header', async () => {
    const small = createRealityServer({ limits: { maxBodyBytes: 100 } })
    const response = await small.handler(syncRequest({ v: 1, known: { ['k'.repeat(120)]: null } }))
    expect(await errorOf(response)).toMatchObject({ status: 413, code: 'payload_too_large' })
  })

  it('400 for every kind of bad body', async () => {
    const cases: [string, string][] = [
      ['', 'invalid_json'],
      ['{"v":1,', 'invalid_json'],
      ['null', 'invalid_request'],
      ['[]', 'invalid_request'],
      ['{"v":1,"known":{"a":1,"a":2}}', 'duplicate_key'],
      ['{"v":2,"known":{}}', 'unsupported_version'],
      ['{"v":1,"known":{"a":-1}}', 'invalid_request'],
      ['{"v":1,"known":{"a":1.5}}', 'invalid_request'],
      ['{"v":1,"known":{"a":"1"}}', 'invalid_request'],
      ['{"v":1,"known":{"a":9007199254740992}}', 'invalid_request'],
      ['{"v":1,"known":{"":null}}', 'invalid_request'],
      ['{"v":1,"known":{"a\\u0000":null}}', 'invalid_request'],
      ['{"v":1,"known":{"a":null},"wait":-1}', 'invalid_request'],
      ['{"v":1,"known":{"a":null},"wait":"10"}', 'invalid_request'],
      [JSON.stringify({ v: 1, known: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, null])) }), 'too_many_keys'],
    ]
    for (const [body, code] of cases) {
      expect(await errorOf(await server.handler(syncRequest(body))), body.slice(0, 60)).toMatchObject({ status: 400, code })
    }
  })

  it('400 for a body that is not UTF-8 and for a malformed Content-Length', async () => {
    const bytes = new Uint8Array([123, 34, 0xff, 0xfe, 34, 125])
    const bad = new Request('http://x/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes })
    expect(await errorOf(await server.handler(bad))).toMatchObject({ status: 400, code: 'invalid_json' })
    const length = syncRequest({ v: 1, known: {} }, { headers: { 'content-length': '12abc' } })
    expect(await errorOf(await server.handler(length))).toMatchObject({ status: 400, code: 'invalid_request' })
  })

  it('400 issues locate the problem', async () => {
    const error = await errorOf(await server.handler(syncRequest('{"v":1,"known":{"user:1":"x"}}')))
    expect(error.issues).toEqual([{ path: ['known', 'user:1'], message: expect.any(String) }])
  })
})

describe('handler: server-side failures', () => {
  function failingStore(failing: 'read' | 'subscribe'): VersionStore {
    const inner = memoryVersions()
    return {
      ...inner,
      read: failing === 'read' ? async () => Promise.reject(new Error('ECONNREFUSED secret-host:6379')) : inner.read,
      subscribe: failing === 'subscribe' ? async () => Promise.reject(new Error('ECONNREFUSED secret-host:6379')) : inner.subscribe,
    }
  }

  it('503 with Retry-After when the store cannot be read or subscribed, without its message', async () => {
    for (const failing of ['read', 'subscribe'] as const) {
      const onError = vi.fn()
      const server = createRealityServer({ versions: failingStore(failing), onError })
      const response = await server.handler(syncRequest({ v: 1, known: { a: 0 }, wait: 1000 }))
      expect(response.status).toBe(503)
      expect(response.headers.get('retry-after')).toBe('5')
      const text = await response.text()
      expect(text).not.toMatch(/secret-host|ECONNREFUSED/)
      expect(JSON.parse(text).error.code).toBe('unavailable')
      expect(onError).toHaveBeenCalledTimes(1)
      expect(server.stats()).toMatchObject({ held: 0, timers: 0, waiters: 0, subscriptions: 0, abortListeners: 0 })
    }
  })

  it('503 after close, and close ends held requests with an empty answer', async () => {
    const server = createRealityServer()
    const { a: floor } = await server.getVersions('a') // never written: the client holds the floor, so the server holds
    const held = server.handler(syncRequest({ v: 1, known: { a: floor }, wait: 30_000 }))
    await vi.waitUntil(() => server.stats().waiters === 1)
    await server.close()
    const response = await held
    expect(await response.json()).toEqual({ v: 1, changed: {} })
    expect(server.stats()).toMatchObject({ held: 0, timers: 0, waiters: 0, subscriptions: 0, abortListeners: 0 })
    const after = await server.handler(syncRequest({ v: 1, known: {} }))
    expect(after.status).toBe(503)
    await expect(server.invalidate('a')).rejects.toThrow(/closed/)
  })

  it('closes the store it created, but not one it was given', async () => {
    const given = memoryVersions()
    await createRealityServer({ versions: given }).close()
    await expect(given.read(['a'])).resolves.toBeInstanceOf(Map)
  })
})
