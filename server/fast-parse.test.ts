import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS, type Limits } from '../protocol/limits.js'
import { parseSyncRequest } from '../protocol/parse.js'
import { parseSyncBody } from './fast-parse.js'

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

/** Bodies close to the fast path's edge: valid ones and near-misses. */
function body(random: () => number): string {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!
  const keys = ['a', 'b', '__proto__', 'constructor', 'é', '', 'k'.repeat(300), 'x\u0001', 'x\u0085', 'q"q', 'back\\slash', 'v', 'known']
  const values = ['null', '0', '5', '-0', '-1', '1.5', '1e3', '9007199254740991', '9007199254740992', '"1"', 'true', '{}', '[]']
  const good = (items: readonly string[], valid: number) => (random() < 0.8 ? items[Math.floor(random() * valid)]! : pick(items))
  const entries = Array.from({ length: Math.floor(random() * 6) }, () => `${JSON.stringify(good(keys, 5))}:${good(values, 4)}`)
  const root = [`"v":${pick(['1', '1', '1', '2', '"1"', '1.0', 'null'])}`, `"known":${pick([`{${entries.join(',')}}`, `{${entries.join(',')}}`, '[]', 'null', '"x"'])}`]
  if (random() < 0.4) root.push(`"wait":${pick(['0', '100', '-1', '1.5', 'null', '"5"', '1e20', '9007199254740992'])}`)
  if (random() < 0.3) root.push(`"stream":${pick(['true', 'false', 'true', '1', '"true"', 'null'])}`)
  if (random() < 0.15) root.push(`${pick(['"extra"', '"v"', '"known"', '"__proto__"', '"wait"'])}:${pick(values)}`)
  const text = `{${root.sort(() => random() - 0.5).join(',')}}`
  return random() < 0.1 ? ` ${text}\n` : text
}

describe('parseSyncBody', () => {
  it('takes the fast path for an ordinary body and builds the same prototype-free request', () => {
    const result = parseSyncBody('{"v":1,"known":{"a":null,"__proto__":5},"wait":100}', DEFAULT_LIMITS)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(Object.getPrototypeOf(result.request.known)).toBeNull()
    expect(Object.keys(result.request.known)).toEqual(['a', '__proto__'])
    expect(result).toEqual(parseSyncRequest('{"v":1,"known":{"a":null,"__proto__":5},"wait":100}'))
  })

  it('leaves duplicates, escapes and every error to parseSyncRequest', () => {
    for (const text of ['{"v":1,"known":{"a":1,"a":2}}', '{"v":1,"v":1,"known":{}}', '{"v":1,"known":{"a\\u0000":1}}', '{"v":1,"known":{"a":1},"x":{"a":1,"a":2}}', '[]', 'null', '{"v":2,"known":{}}']) {
      expect(parseSyncBody(text, DEFAULT_LIMITS)).toEqual(parseSyncRequest(text))
    }
  })

  it(`agrees with parseSyncRequest on 20,000 random near-valid bodies (seed ${SEED})`, () => {
    const random = rng(SEED)
    const limits: Limits = { ...DEFAULT_LIMITS, maxKeys: 4, maxKeyLength: 200 }
    let accepted = 0
    for (let i = 0; i < 20_000; i++) {
      const text = body(random)
      const expected = parseSyncRequest(text, limits)
      const actual = parseSyncBody(text, limits)
      expect(actual, `seed ${SEED}, case ${i}: ${text}`).toEqual(expected)
      if (expected.ok) {
        accepted++
        expect(Object.getPrototypeOf((actual as { request: { known: object } }).request.known)).toBeNull()
      }
    }
    expect(accepted).toBeGreaterThan(1000)
  })
})
