import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS, MAX_KEYS, MAX_KEY_LENGTH } from './limits.js'
import { parseSyncRequest } from './parse.js'

function ok(text: string) {
  const result = parseSyncRequest(text)
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`)
  return result.request
}

function error(text: string, limits = DEFAULT_LIMITS) {
  const result = parseSyncRequest(text, limits)
  if (result.ok) throw new Error(`expected an error for ${text.slice(0, 80)}`)
  return result.error
}

const body = (known: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ v: 1, known, ...extra })

describe('parseSyncRequest', () => {
  it('accepts a valid request with versions, nulls and a wait', () => {
    const request = ok(body({ 'chat:room:general': 1732271234567001, 'user:42': null }, { wait: 25000 }))
    expect(request.known['chat:room:general']).toBe(1732271234567001)
    expect(request.known['user:42']).toBeNull()
    expect(request.wait).toBe(25000)
  })

  it('accepts version 0 and an empty known', () => {
    expect(ok(body({ a: 0 })).known.a).toBe(0)
    expect(Object.keys(ok(body({})).known)).toEqual([])
  })

  it('leaves wait undefined when absent', () => {
    expect(ok(body({ a: 1 })).wait).toBeUndefined()
  })

  it.each(['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', 'prototype'])(
    'treats %s as an ordinary key',
    (key) => {
      const request = ok(`{"v":1,"known":{"${key}":7,"other":null}}`)
      expect(Object.keys(request.known)).toEqual([key, 'other'])
      expect(request.known[key]).toBe(7)
      expect(Object.getPrototypeOf(request.known)).toBeNull()
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    },
  )

  it('validates the value under a __proto__ key like any other', () => {
    expect(error('{"v":1,"known":{"__proto__":"bad"}}').code).toBe('invalid_request')
    expect(error('{"v":1,"known":{"__proto__":{"polluted":1}}}').code).toBe('invalid_request')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('rejects duplicate JSON keys, at any level and through escapes', () => {
    expect(error('{"v":1,"known":{"a":1,"a":2}}').code).toBe('duplicate_key')
    expect(error('{"v":1,"v":1,"known":{}}').code).toBe('duplicate_key')
    expect(error('{"v":1,"known":{"a":1,"\\u0061":2}}').code).toBe('duplicate_key')
    // The same key in sibling objects is fine.
    expect(parseSyncRequest('{"v":1,"known":{"a":1},"x":{"a":1}}').ok).toBe(true)
  })

  it.each([
    ['a fraction', 1.5],
    ['a negative number', -1],
    ['an unsafe integer', Number.MAX_SAFE_INTEGER + 2],
    ['a string', '"12"'],
    ['a boolean', 'true'],
    ['an object', '{}'],
    ['an array', '[]'],
  ])('rejects %s as a version', (_, value) => {
    const e = error(`{"v":1,"known":{"a":${value}}}`)
    expect(e.status).toBe(400)
    expect(e.code).toBe('invalid_request')
    expect(e.issues?.[0]?.path).toEqual(['known', 'a'])
  })

  it('rejects a wrong protocol version with a hint', () => {
    const e = error('{"v":2,"known":{}}')
    expect(e.code).toBe('unsupported_version')
    expect(e.message).toMatch(/v1/)
    expect(error('{"v":"1","known":{}}').code).toBe('unsupported_version')
    expect(error('{"known":{}}').code).toBe('invalid_request')
  })

  it('rejects a missing or malformed known', () => {
    expect(error('{"v":1}').code).toBe('invalid_request')
    expect(error('{"v":1,"known":[]}').code).toBe('invalid_request')
    expect(error('{"v":1,"known":null}').code).toBe('invalid_request')
    expect(error('{"v":1,"known":"a"}').code).toBe('invalid_request')
  })

  it('rejects too many keys with its own code', () => {
    const known = Object.fromEntries(Array.from({ length: MAX_KEYS + 1 }, (_, i) => [`k${i}`, null]))
    const e = error(body(known))
    expect(e.status).toBe(400)
    expect(e.code).toBe('too_many_keys')
    expect(parseSyncRequest(body(Object.fromEntries(Object.entries(known).slice(1)))).ok).toBe(true)
  })

  it('honours custom limits', () => {
    const limits = { ...DEFAULT_LIMITS, maxKeys: 2, maxKeyLength: 3 }
    expect(error(body({ a: 1, b: 1, c: 1 }), limits).code).toBe('too_many_keys')
    expect(error(body({ abcd: 1 }), limits).code).toBe('invalid_request')
    expect(parseSyncRequest(body({ abc: 1 }), limits).ok).toBe(true)
  })

  it('rejects empty, over-long and control-character keys', () => {
    expect(error(body({ '': 1 })).message).toMatch(/empty/)
    expect(error(body({ ['x'.repeat(MAX_KEY_LENGTH + 1)]: 1 })).message).toMatch(/at most 256/)
    expect(parseSyncRequest(body({ ['x'.repeat(MAX_KEY_LENGTH)]: 1 })).ok).toBe(true)
    for (const c of ['\u0000', '\n', '\u001f', '\u007f', '\u0085']) {
      expect(error(body({ [`a${c}b`]: 1 })).message).toMatch(/control/)
    }
    expect(parseSyncRequest(body({ 'emoji:😀': 1, 'ü:ß': null })).ok).toBe(true)
  })

  it.each([
    ['negative', -1],
    ['fractional', 2.5],
    ['a string', '"100"'],
    ['null', 'null'],
  ])('rejects a %s wait', (_, wait) => {
    expect(error(`{"v":1,"known":{},"wait":${wait}}`).code).toBe('invalid_request')
  })

  it.each([
    ['null', 'null'],
    ['an array', '[{"v":1,"known":{}}]'],
    ['a number', '42'],
    ['a string', '"hello"'],
  ])('rejects %s as the body', (_, text) => {
    const e = error(text)
    expect(e.status).toBe(400)
    expect(e.code).toBe('invalid_request')
    expect(e.message).toMatch(/JSON object/)
  })

  it.each(['', '{', '{"v":1,', 'undefined', "{'v':1}", '{"v":1,"known":{},}', '\u0000'])('rejects bad JSON %j', (text) => {
    const e = error(text)
    expect(e.status).toBe(400)
    expect(e.code).toBe('invalid_json')
  })

  it('rejects bodies over the size limit with 413', () => {
    const e = error(body({ a: 1 }, { pad: 'x'.repeat(DEFAULT_LIMITS.maxBodyBytes) }))
    expect(e.status).toBe(413)
    expect(e.code).toBe('payload_too_large')
  })

  it('ignores unknown top-level fields (forward compatibility)', () => {
    expect(ok(body({ a: 1 }, { future: true })).known.a).toBe(1)
  })

  it('produces an error body with code, message and issues', () => {
    const e = error('{"v":1,"known":{"a":-1}}')
    const out = e.toBody()
    expect(out.error.code).toBe('invalid_request')
    expect(typeof out.error.message).toBe('string')
    expect(out.error.issues?.length).toBeGreaterThan(0)
  })
})
