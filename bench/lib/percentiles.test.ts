import { describe, expect, it } from 'vitest'
import { percentile, round3, summarize } from './percentiles.js'

describe('percentile (nearest rank)', () => {
  it('answers a measured sample, never an interpolation', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    expect(percentile(sorted, 50)).toBe(5)
    expect(percentile(sorted, 99)).toBe(10)
    expect(percentile(sorted, 0)).toBe(1)
    expect(percentile(sorted, 100)).toBe(10)
    expect(percentile([7], 99)).toBe(7)
  })
  it('refuses empty input and p outside 0..100', () => {
    expect(() => percentile([], 50)).toThrow(RangeError)
    expect(() => percentile([1], 101)).toThrow(/0\.\.100/)
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError)
  })
})

describe('summarize', () => {
  it('sorts unsorted samples and reports min, p50, p99, max, mean', () => {
    const s = summarize([5, 1, 4, 2, 3])
    expect(s).toMatchObject({ n: 5, min: 1, p50: 3, p99: 5, max: 5, mean: 3 })
  })
  it('refuses empty input', () => {
    expect(() => summarize([])).toThrow(RangeError)
  })
})

describe('round3', () => {
  it('keeps 3 significant digits without scientific notation', () => {
    expect(round3(1234.567)).toBe(1230)
    expect(round3(0.012345)).toBe(0.0123)
    expect(round3(0)).toBe(0)
    expect(String(round3(123456))).toBe('123000')
  })
})
