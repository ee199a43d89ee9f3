import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS, splitKnown } from './split-known.js'

describe('splitKnown (ARCHITECTURE.md C1)', () => {
  it('keeps everything in one part when it fits', () => {
    const known = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k:${i}`, i]))
    expect(splitKnown(known, DEFAULT_LIMITS)).toEqual([known])
    expect(splitKnown({}, DEFAULT_LIMITS)).toEqual([])
  })

  it('splits by key count and by body size, losing no key', () => {
    const known = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k:${i}`, i]))
    const byCount = splitKnown(known, DEFAULT_LIMITS)
    expect(byCount.map((part) => Object.keys(part).length)).toEqual([500, 500, 1])
    const long = Object.fromEntries(Array.from({ length: 700 }, (_, i) => [`${'x'.repeat(86)}:${String(i).padStart(4, '0')}`, 1732271234567001]))
    const bySize = splitKnown(long, DEFAULT_LIMITS)
    expect(bySize.length).toBeGreaterThan(1)
    for (const part of bySize) expect(JSON.stringify({ v: 1, known: part, wait: 25000 }).length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxBytes)
    expect(Object.assign({}, ...bySize)).toEqual(long)
  })

  it('counts non-ASCII keys by their UTF-8 bytes', () => {
    const known = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`ключ:${'é'.repeat(60)}:${i}`, null]))
    for (const part of splitKnown(known, { maxKeys: 500, maxBytes: 8192 })) {
      expect(new TextEncoder().encode(JSON.stringify({ v: 1, known: part })).length).toBeLessThanOrEqual(8192)
    }
  })
})
