import { describe, expect, it } from 'vitest'
import { createRealityServer } from './create-server.js'
import { syncRequest } from './test-requests.js'

const APP = 'https://app.example.com'

function preflight(origin: string | undefined, headers: Record<string, string> = {}) {
  return new Request('http://api.example.com/reality/sync', {
    method: 'OPTIONS',
    headers: { ...(origin ? { origin } : {}), 'access-control-request-method': 'POST', ...headers },
  })
}

describe('CORS', () => {
  const server = createRealityServer({ cors: { origins: [APP], credentials: true, maxAge: 600, headers: ['Authorization'] } })

  it('answers an allowed preflight 204 with the exact origin, methods, headers and max-age', async () => {
    const response = await server.handler(preflight(APP, { 'access-control-request-headers': 'content-type, authorization' }))
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe(APP)
    expect(response.headers.get('access-control-allow-credentials')).toBe('true')
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST')
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type, last-event-id, if-none-match, authorization')
    expect(response.headers.get('access-control-max-age')).toBe('600')
    expect(response.headers.get('vary')).toBe('Origin')
  })

  it('refuses a preflight from another origin with a 403 JSON body and no allow-origin', async () => {
    for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.com', 'http://app.example.com', 'null']) {
      const response = await server.handler(preflight(origin))
      expect(response.status).toBe(403)
      expect(response.headers.get('access-control-allow-origin')).toBeNull()
      expect(response.headers.get('vary')).toBe('Origin')
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('forbidden')
    }
  })

  it('answers a plain OPTIONS (no Origin) with Allow', async () => {
    const response = await server.handler(preflight(undefined))
    expect(response.status).toBe(204)
    expect(response.headers.get('allow')).toBe('GET, POST, OPTIONS')
  })

  it('adds CORS headers to answers and errors for an allowed origin, never a wildcard', async () => {
    const ok = await server.handler(syncRequest({ v: 1, known: {} }, { headers: { origin: APP } }))
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP)
    expect(ok.headers.get('access-control-expose-headers')).toBe('Retry-After, ETag')
    expect(ok.headers.get('vary')).toBe('Origin')
    const bad = await server.handler(syncRequest('nope', { headers: { origin: APP } }))
    expect(bad.status).toBe(400)
    expect(bad.headers.get('access-control-allow-origin')).toBe(APP)
    expect(bad.headers.get('access-control-allow-credentials')).toBe('true')
    const method = await server.handler(new Request('http://x/', { method: 'PUT', body: '{}', headers: { origin: APP } }))
    expect(method.status).toBe(405)
    expect(method.headers.get('allow')).toBe('GET, POST, OPTIONS')
    expect(method.headers.get('access-control-allow-origin')).toBe(APP)
  })

  it('serves other origins without CORS headers (the browser blocks them) but with Vary', async () => {
    const response = await server.handler(syncRequest({ v: 1, known: {} }, { headers: { origin: 'https://evil.example.com' } }))
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    expect(response.headers.get('vary')).toBe('Origin')
  })

  it('takes a predicate, and a throwing predicate allows nothing', async () => {
    const byFunction = createRealityServer({ cors: { origins: (origin) => origin.endsWith('.example.com') } })
    const response = await byFunction.handler(preflight('https://x.example.com'))
    expect(response.headers.get('access-control-allow-origin')).toBe('https://x.example.com')
    expect(response.headers.get('access-control-allow-credentials')).toBeNull()
    const throwing = createRealityServer({
      cors: {
        origins: () => {
          throw new Error('x')
        },
      },
    })
    expect((await throwing.handler(preflight(APP))).status).toBe(403)
  })

  it('refuses a wildcard and malformed origins at creation', () => {
    expect(() => createRealityServer({ cors: { origins: ['*'] } })).toThrow(/\(\) => true/)
    for (const origin of ['https://app.example.com/', 'app.example.com', 'https://app.example.com/path', 'null']) {
      expect(() => createRealityServer({ cors: { origins: [origin] } }), origin).toThrow(TypeError)
    }
    expect(() => createRealityServer({ cors: { origins: [APP], maxAge: -1 } })).toThrow(/maxAge/)
    expect(() => createRealityServer({ cors: { origins: [APP], headers: ['bad header'] } })).toThrow(/headers/)
  })

  it('without cors, OPTIONS is a 405 and no CORS header is sent', async () => {
    const plain = createRealityServer()
    const response = await plain.handler(preflight(APP))
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('GET, POST')
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    const ok = await plain.handler(syncRequest({ v: 1, known: {} }, { headers: { origin: APP } }))
    expect(ok.headers.get('access-control-allow-origin')).toBeNull()
  })
})
