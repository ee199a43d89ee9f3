import { describe, expect, it } from 'vitest'
import { createRealityServer } from './create-server.js'
import { syncRequest } from './test-requests.js'

describe('invalidate and getVersions', () => {
  it('returns prototype-free records of new, increasing versions', async () => {
    const server = createRealityServer()
    // Every never-written key reads as one floor version of this server: above 0, below every bump.
    const unwritten = await server.getVersions(['a', 'never'])
    const floor = unwritten.never!
    expect(floor).toBeGreaterThan(0)
    expect(unwritten.a).toBe(floor)
    const first = await server.invalidate(['a', 'b', 'a'])
    expect(Object.getPrototypeOf(first)).toBeNull()
    expect(Object.keys(first)).toEqual(['a', 'b'])
    expect(first.a).toBeGreaterThan(floor)
    expect(first.b).toBeGreaterThan(floor)
    const second = await server.invalidate('a')
    expect(second.a).toBeGreaterThan(first.a!)
    expect(await server.getVersions(['a', 'b', 'never'])).toEqual(Object.assign(Object.create(null), { a: second.a, b: first.b, never: floor }))
    expect(await server.invalidate([])).toEqual(Object.create(null))
  })

  it('refuses bad keys with a TypeError that says what to do', async () => {
    const server = createRealityServer({ limits: { maxKeyLength: 8 } })
    for (const keys of ['', 'x\u0007', '123456789', [1], 5, { a: 1 }, null]) {
      await expect(server.invalidate(keys as string), JSON.stringify(keys)).rejects.toThrow(TypeError)
      await expect(server.getVersions(keys as string)).rejects.toThrow(TypeError)
    }
    await expect(server.invalidate('')).rejects.toThrow(/not be empty.*chat:room:general/)
  })

  it('attaches a JSON copy of the payload and the hash to the change', async () => {
    const server = createRealityServer()
    const payload = { text: 'hi', at: new Date(0) }
    const { m } = await server.invalidate('m', { hash: 'abc', payload })
    payload.text = 'mutated later'
    const body = await (await server.handler(syncRequest({ v: 1, known: { m: null } }))).json()
    expect(body).toEqual({ v: 1, changed: { m: { version: m, hash: 'abc', payload: { text: 'hi', at: '1970-01-01T00:00:00.000Z' } } } })
    await server.invalidate('n', { payload: null })
    const nullPayload = await (await server.handler(syncRequest({ v: 1, known: { n: null } }))).json()
    expect(nullPayload.changed.n).toHaveProperty('payload', null)
  })

  it('refuses payloads over the byte limit, or that are not JSON, and changes nothing', async () => {
    const server = createRealityServer({ limits: { maxPayloadBytes: 10 } })
    await expect(server.invalidate('a', { payload: 'é'.repeat(5) })).rejects.toThrow(RangeError) // 12 bytes of JSON
    await expect(server.invalidate('a', { payload: 'x'.repeat(8) })).resolves.toBeDefined() // exactly 10
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const before = await server.getVersions('a')
    await expect(server.invalidate('a', { payload: cyclic })).rejects.toThrow(/JSON-serializable/)
    await expect(server.invalidate('a', { payload: 10n })).rejects.toThrow(TypeError)
    await expect(server.invalidate('a', { payload: () => 1 })).rejects.toThrow(/JSON value/)
    await expect(server.invalidate('a', { hash: 5 as unknown as string })).rejects.toThrow(/hash/)
    expect(await server.getVersions('a')).toEqual(before)
    expect(createRealityServer().limits.maxPayloadBytes).toBe(8 * 1024)
  })
})

describe('options', () => {
  it('refuses unknown or invalid limits at creation', () => {
    expect(() => createRealityServer({ limits: { maxKeys: 0 } })).toThrow(/maxKeys/)
    expect(() => createRealityServer({ limits: { maxBodyBytes: '1' as unknown as number } })).toThrow(/maxBodyBytes/)
    expect(() => createRealityServer({ limits: { maxKyes: 5 } as never })).toThrow(/Unknown limit/)
    expect(() => createRealityServer({ maxWait: -1 })).toThrow(/maxWait/)
    expect(() => createRealityServer({ maxWait: 2 ** 31 })).toThrow(/maxWait/)
  })

  it('maxWait overrides limits.maxWait, and limits apply to requests', async () => {
    expect(createRealityServer({ limits: { maxWait: 10 }, maxWait: 20 }).limits.maxWait).toBe(20)
    const server = createRealityServer({ limits: { maxKeys: 2, maxKeyLength: 3 } })
    expect((await server.handler(syncRequest({ v: 1, known: { a: 0, b: 0, c: 0 } }))).status).toBe(400)
    expect((await server.handler(syncRequest({ v: 1, known: { abcd: 0 } }))).status).toBe(400)
    expect((await server.handler(syncRequest({ v: 1, known: { abc: 0 } }))).status).toBe(200)
  })
})
