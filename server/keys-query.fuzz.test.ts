import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../protocol/error.js'
import { DEFAULT_LIMITS, keyProblem, type Limits } from '../protocol/limits.js'
import { decodeCursor, encodeCursor } from './event-stream.js'
import { acceptedAnswer, parseKeysQuery } from './keys-query.js'

const SEED = process.env.REALITY_FUZZ_SEED ? Number(process.env.REALITY_FUZZ_SEED) : Date.now() % 2 ** 32

function rng(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('GET input parsers, fuzzed', () => {
  it(`parseKeysQuery accepts only valid, distinct, bounded keys and never throws (seed ${SEED})`, () => {
    const random = rng(SEED)
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!
    const limits: Limits = { ...DEFAULT_LIMITS, maxKeys: 4, maxKeyLength: 8, maxBodyBytes: 120 }
    const pieces = ['key=a', 'key=b', 'key=%00', 'key=%zz', 'key=__proto__', 'key=', 'key', '=a', 'key=a%26b', 'key=%E2%82%AC', 'key=%ED%A0%80', 'Key=a', 'wait=1', '&', '&&', 'key=a+b', 'key=toolongtoolong', '#frag', '?', 'key=%C2%85']
    let accepted = 0
    for (let i = 0; i < 20_000; i++) {
      const query = Array.from({ length: Math.floor(random() * 7) }, () => pick(pieces)).join(pick(['&', '&', ';', '']))
      const url = `/reality/sync${random() < 0.9 ? '?' : ''}${query}`
      const result = parseKeysQuery(url, limits)
      if (result instanceof ProtocolError) {
        expect([400, 413], `seed ${SEED}: ${url}`).toContain(result.status)
        continue
      }
      accepted++
      expect(result.length).toBeGreaterThan(0)
      expect(result.length).toBeLessThanOrEqual(limits.maxKeys)
      expect(new Set(result).size).toBe(result.length)
      for (const key of result) expect(keyProblem(key, limits.maxKeyLength), `seed ${SEED}: ${url}`).toBeUndefined()
    }
    expect(accepted).toBeGreaterThan(500)
  })

  it(`decodeCursor reads back every encodeCursor and refuses anything else with a 400 (seed ${SEED})`, () => {
    const random = rng(SEED + 1)
    const keys = ['a', 'b.c', '__proto__']
    for (let i = 0; i < 5_000; i++) {
      const sent: Record<string, number | null> = Object.create(null)
      for (const key of keys) sent[key] = random() < 0.2 ? null : Math.floor(random() * Number.MAX_SAFE_INTEGER)
      expect(decodeCursor(encodeCursor(keys, sent), keys)).toEqual(sent)
      const garbled = encodeCursor(keys, sent).split('')
      garbled[Math.floor(random() * garbled.length)] = String.fromCharCode(32 + Math.floor(random() * 95))
      const result = decodeCursor(garbled.join(''), keys)
      if (result instanceof ProtocolError) expect(result.status).toBe(400)
      else for (const key of keys) expect(result[key] === null || Number.isSafeInteger(result[key])).toBe(true)
    }
  })

  it('acceptedAnswer picks events, JSON or 406', () => {
    expect(acceptedAnswer('text/event-stream')).toBe('events')
    expect(acceptedAnswer('application/json;q=0.9, text/event-stream')).toBe('events')
    expect(acceptedAnswer(null)).toBe('json')
    expect(acceptedAnswer('*/*')).toBe('json')
    expect(acceptedAnswer('text/html')).toBeInstanceOf(ProtocolError)
  })
})
