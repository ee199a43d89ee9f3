import { describe, expect, it } from 'vitest'
import { RealityError } from '../errors.js'
import { backoffDelay, clampRetryAfter, errorRetryDelay, isRetryable, retryDelay } from './retry-policy.js'

describe('retry policy (ARCHITECTURE.md C7)', () => {
  it('backs off from 0.5 s doubling to 8 s, with full jitter', () => {
    const caps = [500, 1000, 2000, 4000, 8000, 8000, 8000]
    caps.forEach((cap, index) => {
      const delays = Array.from({ length: 200 }, () => backoffDelay(index + 1))
      expect(Math.max(...delays)).toBeLessThanOrEqual(cap)
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0)
      // Full jitter: spread over the whole range, not bunched near the cap.
      expect(Math.min(...delays)).toBeLessThan(cap / 4)
    })
    expect(backoffDelay(1000)).toBeLessThanOrEqual(8000)
  })

  it("clamps a server's Retry-After to [1 s, 5 min], and it wins over the backoff", () => {
    expect(clampRetryAfter(2_592_000_000)).toBe(300_000)
    expect(clampRetryAfter(0)).toBe(1000)
    expect(retryDelay(5, 3000)).toBe(3000)
    expect(retryDelay(1, 2 ** 40)).toBe(300_000)
  })

  it('retries from error about every 60 s', () => {
    for (let i = 0; i < 50; i++) {
      const delay = errorRetryDelay()
      expect(delay).toBeGreaterThanOrEqual(45_000)
      expect(delay).toBeLessThanOrEqual(75_000)
    }
  })

  it('tells failures a retry can fix from those it cannot', () => {
    expect(isRetryable(new RealityError('sync_failed', 'network'))).toBe(true)
    expect(isRetryable(new RealityError('sync_failed', 'cut', { status: undefined }))).toBe(true)
    for (const status of [408, 429, 500, 503]) expect(isRetryable({ code: 'sync_failed', status })).toBe(true)
    for (const status of [400, 401, 404, 413]) expect(isRetryable({ code: 'sync_failed', status })).toBe(false)
    expect(isRetryable(new RealityError('protocol_mismatch', 'not v1'))).toBe(false)
  })
})
