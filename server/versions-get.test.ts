import { describe, expect, it } from 'vitest'
import { RealityAuthError } from './auth.js'
import { createRealityServer } from './create-server.js'

const quiet = { onError: () => {} }
const get = (query: string, headers: Record<string, string> = {}) => new Request(`http://reality.test/reality/sync${query}`, { headers })

describe('GET {endpoint}?key=… (polling)', () => {
  it('answers the versions with an ETag; If-None-Match gets 304 until a key changes', async () => {
    const server = createRealityServer(quiet)
    const { a } = await server.invalidate('a')
    const response = await server.handler(get('?key=a&key=b', { accept: 'application/json' }))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-cache')
    const body = await response.json()
    expect(body).toEqual({ v: 1, versions: { a, b: (await server.getVersions('b')).b } })
    const etag = response.headers.get('etag')!
    expect(etag).toMatch(/^"[0-9a-z]+"$/)
    const same = await server.handler(get('?key=a&key=b', { 'if-none-match': etag }))
    expect(same.status).toBe(304)
    expect(same.headers.get('etag')).toBe(etag)
    expect(await same.text()).toBe('')
    expect((await server.handler(get('?key=a&key=b', { 'if-none-match': `"other", W/${etag}` }))).status).toBe(304)
    await server.invalidate('b')
    const changed = await server.handler(get('?key=a&key=b', { 'if-none-match': etag }))
    expect(changed.status).toBe(200)
    expect(changed.headers.get('etag')).not.toBe(etag)
    await server.close()
  })

  it('keeps "__proto__" an ordinary key and answers without Accept or with */*', async () => {
    const server = createRealityServer(quiet)
    const { __proto__: version } = await server.invalidate('__proto__')
    for (const headers of [{} as Record<string, string>, { accept: '*/*' }, { accept: 'text/html, application/*;q=0.8' }]) {
      const response = await server.handler(get('?key=__proto__', headers))
      expect(response.status).toBe(200)
      expect(JSON.parse(await response.text())).toEqual(JSON.parse(`{"v":1,"versions":{"__proto__":${version}}}`))
    }
    await server.close()
  })

  it('applies authorize and CORS exactly as POST: denied keys, 401 with its headers, allowed origin echoed', async () => {
    const server = createRealityServer({
      ...quiet,
      cors: { origins: ['https://app.example.com'] },
      authorize(request, keys) {
        if (request.headers.get('authorization') !== 'Bearer ok') throw new RealityAuthError(401, 'Sign in.', { headers: { 'WWW-Authenticate': 'Bearer' } })
        return keys.filter((key) => !key.startsWith('admin:'))
      },
    })
    const refused = await server.handler(get('?key=a', { origin: 'https://app.example.com' }))
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toBe('Bearer')
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    const response = await server.handler(get('?key=a&key=admin:x', { authorization: 'Bearer ok', origin: 'https://app.example.com' }))
    const body = await response.json()
    expect(Object.keys(body.versions)).toEqual(['a'])
    expect(body.denied).toEqual(['admin:x'])
    expect(response.headers.get('cache-control')).toBe('private, no-cache')
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(response.headers.get('access-control-expose-headers')).toBe('Retry-After, ETag')
    const preflight = await server.handler(new Request('http://reality.test/reality/sync', { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' } }))
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, POST')
    expect(preflight.headers.get('access-control-allow-headers')).toContain('last-event-id')
    await server.close()
  })

  it('answers bad input with the same codes as POST, and 406 for an Accept it cannot answer', async () => {
    const server = createRealityServer({ ...quiet, limits: { maxKeys: 2, maxKeyLength: 5, maxBodyBytes: 64 } })
    const cases: [string, Record<string, string>, number, string][] = [
      ['?key=a&key=b&key=c', {}, 400, 'too_many_keys'],
      ['?key=a&key=a', {}, 400, 'duplicate_key'],
      ['?key=', {}, 400, 'invalid_request'],
      ['?key=toolong', {}, 400, 'invalid_request'],
      ['?key=a%00', {}, 400, 'invalid_request'],
      ['?key=a&wait=5', {}, 400, 'invalid_request'],
      ['?keys=a', {}, 400, 'invalid_request'],
      ['', {}, 400, 'invalid_request'],
      [`?key=a&${'x'.repeat(80)}`, {}, 413, 'payload_too_large'],
      ['?key=a', { accept: 'text/html' }, 406, 'not_acceptable'],
      ['?key=a&key=b', { accept: 'text/event-stream', 'last-event-id': 'zzzzzzzzzzzz.1' }, 400, 'invalid_request'],
      ['?key=a&key=b', { accept: 'text/event-stream', 'last-event-id': '1' }, 400, 'invalid_request'],
      ['?key=a', { accept: 'text/event-stream', 'last-event-id': 'A' }, 400, 'invalid_request'],
    ]
    for (const [query, headers, status, code] of cases) {
      const response = await server.handler(get(query, headers))
      expect({ query, status: response.status }).toEqual({ query, status })
      expect((await response.json()).error.code).toBe(code)
    }
    expect(server.stats().held).toBe(0)
    await server.close()
    const closed = await server.handler(get('?key=a'))
    expect(closed.status).toBe(503)
    expect(closed.headers.get('retry-after')).toBe('5')
  })
})
