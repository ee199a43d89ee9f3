import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS, keyProblem } from './limits.js'
import { parseSyncRequest } from './parse.js'
import { syncRequestSchema } from './schema.js'

const SEED = Number(process.env.FUZZ_SEED ?? 20261122)

function prng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const atoms = ['0', '1', '-1', '1.5', '1e3', '9007199254740993', 'null', 'true', '"x"', '{}', '[]', '"__proto__"', '""']
const keys = ['a', '__proto__', 'constructor', '', 'x'.repeat(257), 'a\\u0000', 'chat:room', 'é', 'toString']

function randomBody(rand: () => number): string {
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)]!
  const entries = Array.from({ length: Math.floor(rand() * 5) }, () => `${JSON.stringify(pick(keys)).replace('\\\\u0000', '\\u0000')}:${pick(atoms)}`)
  const fields = [`"v":${rand() < 0.8 ? '1' : pick(atoms)}`, `"known":${rand() < 0.85 ? `{${entries.join(',')}}` : pick(atoms)}`]
  if (rand() < 0.4) fields.push(`"wait":${pick(atoms)}`)
  if (rand() < 0.1) fields.push(fields[0]!)
  let text = `{${fields.join(',')}}`
  // Mutate: cut, insert or flip a character.
  if (rand() < 0.3) {
    const at = Math.floor(rand() * text.length)
    const op = rand()
    if (op < 0.33) text = text.slice(0, at)
    else if (op < 0.66) text = text.slice(0, at) + pick(['{', '}', '"', ',', ':', '\\', '\u0000']) + text.slice(at)
    else text = text.slice(0, at) + text.slice(at + 1)
  }
  return text
}

describe(`parseSyncRequest fuzz (seed ${SEED}; replay with FUZZ_SEED=${SEED})`, () => {
  it('never throws, answers only 400/413, and accepts only valid requests (10,000 cases)', () => {
    const rand = prng(SEED)
    let accepted = 0
    for (let n = 0; n < 10_000; n++) {
      const text = randomBody(rand)
      const result = parseSyncRequest(text)
      if (!result.ok) {
        expect([400, 413], text).toContain(result.error.status)
        expect(result.error.message.length).toBeGreaterThan(0)
        continue
      }
      accepted++
      // Whatever is accepted, zod agrees with and every entry is valid.
      expect(syncRequestSchema.safeParse(JSON.parse(text)).success, text).toBe(true)
      for (const [key, version] of Object.entries(result.request.known)) {
        expect(keyProblem(key, DEFAULT_LIMITS.maxKeyLength), text).toBeUndefined()
        expect(version === null || (Number.isSafeInteger(version) && version >= 0), text).toBe(true)
      }
    }
    // The generator must exercise both sides.
    expect(accepted).toBeGreaterThan(500)
  })
})
