import { describe, expect, it, vi } from 'vitest'
import { RealityAuthError } from './auth.js'
import { createRealityServer } from './create-server.js'
import { settled, syncRequest, until } from './test-requests.js'

async function bodyOf(response: Response) {
  return (await response.json()) as { changed?: Record<string, unknown>; denied?: string[]; error?: { code: string; message: string } }
}

describe('authorize', () => {
  it('answers denied keys in denied, never revealing their versions or payloads', async () => {
    const server = createRealityServer({ authorize: (_request, keys) => keys.filter((key) => !key.startsWith('admin:')) })
    const versions = await server.invalidate(['admin:stats', 'user:1'], { payload: { secret: 42 } })
    const response = await server.handler(syncRequest({ v: 1, known: { 'admin:stats': 0, 'user:1': 0, 'admin:x': null } }))
    const text = await response.text()
    expect(JSON.parse(text)).toEqual({ v: 1, changed: { 'user:1': { version: versions['user:1'], payload: { secret: 42 } } }, denied: ['admin:stats', 'admin:x'] })
    expect(text).not.toContain(String(versions['admin:stats']))
  })

  it('serves payloads only to requests allowed to read the key', async () => {
    const server = createRealityServer({ authorize: (request, keys) => (request.headers.get('x-user') === 'owner' ? keys : []) })
    await server.invalidate('doc:1', { payload: { title: 'private' } })
    const stranger = await (await server.handler(syncRequest({ v: 1, known: { 'doc:1': null } }))).text()
    expect(stranger).not.toContain('private')
    expect(JSON.parse(stranger)).toEqual({ v: 1, changed: {}, denied: ['doc:1'] })
    const owner = await bodyOf(await server.handler(syncRequest({ v: 1, known: { 'doc:1': null } }, { headers: { 'x-user': 'owner' } })))
    expect(owner.changed!['doc:1']).toMatchObject({ payload: { title: 'private' } })
  })

  it('accepts a Set or a promise, and ignores keys that were not requested', async () => {
    const server = createRealityServer({ authorize: async () => new Set(['a', 'zzz']) })
    const { a: floor } = await server.getVersions('a') // never written: the store's floor version
    const body = await bodyOf(await server.handler(syncRequest({ v: 1, known: { a: null, b: null } })))
    expect(body).toEqual({ v: 1, changed: { a: { version: floor } }, denied: ['b'] })
  })

  it('passes the request and the requested keys', async () => {
    const authorize = vi.fn((_request: Request, keys: string[]) => keys)
    const server = createRealityServer({ authorize })
    await server.handler(syncRequest('{"v":1,"known":{"a":null,"__proto__":null}}', { headers: { authorization: 'Bearer t' } }))
    expect(authorize.mock.calls[0]![0].headers.get('authorization')).toBe('Bearer t')
    expect(authorize.mock.calls[0]![1]).toEqual(['a', '__proto__'])
  })

  it('denied keys never wake a held request', async () => {
    const server = createRealityServer({ authorize: (_request, keys) => keys.filter((key) => key !== 'secret') })
    // The client holds both keys' current (never-written, floor) versions, so the server holds the request.
    const floor = await server.getVersions(['secret', 'open'])
    const probe = settled(server.handler(syncRequest({ v: 1, known: { secret: floor.secret!, open: floor.open! }, wait: 30_000 })))
    await until(() => server.stats().waiters === 1)
    expect(server.stats().watchedKeys).toBe(1)
    await server.invalidate('secret')
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(probe.done).toBe(false)
    const { open } = await server.invalidate('open')
    expect(await bodyOf(await probe.promise)).toEqual({ v: 1, changed: { open: { version: open } }, denied: ['secret'] })
  })

  it('RealityAuthError answers 401/403 with the app message and headers', async () => {
    const server = createRealityServer({
      authorize: (request) => {
        if (!request.headers.get('authorization')) throw new RealityAuthError(401, 'Sign in to sync.', { headers: { 'WWW-Authenticate': 'Bearer' } })
        throw new RealityAuthError(403, 'Not your workspace.')
      },
    })
    const anonymous = await server.handler(syncRequest({ v: 1, known: {} }))
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer')
    expect((await bodyOf(anonymous)).error).toEqual({ code: 'unauthorized', message: 'Sign in to sync.' })
    const other = await server.handler(syncRequest({ v: 1, known: {} }, { headers: { authorization: 'Bearer x' } }))
    expect(other.status).toBe(403)
    expect((await bodyOf(other)).error).toEqual({ code: 'forbidden', message: 'Not your workspace.' })
  })

  it('RealityAuthError only takes 401 or 403', () => {
    expect(() => new RealityAuthError(500 as 401)).toThrow(TypeError)
    expect(new RealityAuthError(401).message).toMatch(/Authentication/)
  })

  it('any other throw is a generic 500 that leaks no text, stack or store state', async () => {
    const onError = vi.fn()
    const throwers = [
      () => {
        throw new Error('db password is hunter2')
      },
      async () => Promise.reject(new TypeError('at Object.<anonymous> (/srv/app/auth.ts:12:5)')),
      () => {
        throw 'hunter2 string'
      },
      () => 'not a collection' as unknown as string[],
      () => null as unknown as string[],
    ]
    for (const authorize of throwers) {
      const server = createRealityServer({ authorize, onError })
      const response = await server.handler(syncRequest({ v: 1, known: { a: null } }))
      expect(response.status).toBe(500)
      const text = await response.text()
      expect(text).not.toMatch(/hunter2|auth\.ts|anonymous|collection|Set/)
      expect(JSON.parse(text).error.code).toBe('internal')
    }
    expect(onError).toHaveBeenCalledTimes(throwers.length)
  })
})
