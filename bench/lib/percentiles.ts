/**
 * Percentiles and summaries of timing samples. Nearest-rank percentiles: the
 * reported value is always one that was actually measured.
 */

/** Summary of a sample set, in the samples' own unit. */
export interface Summary {
  n: number
  min: number
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
}

/**
 * The nearest-rank percentile `p` (0–100) of samples sorted ascending.
 *
 * @example
 * percentile([1, 2, 3, 4], 50) // 2
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile() needs at least one sample.')
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile p must be within 0..100, got ${p}.`)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1]!
}

/**
 * Summarises samples (in any order) into min, p50, p90, p99, max and mean.
 *
 * @example
 * summarize([3, 1, 2]).p50 // 2
 */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summarize() needs at least one sample.')
  const sorted = [...samples].sort((a, b) => a - b)
  let total = 0
  for (const value of sorted) total += value
  return {
    n: sorted.length,
    min: sorted[0]!,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1]!,
    mean: total / sorted.length,
  }
}

/**
 * Rounds for display: 3 significant digits, never scientific notation.
 *
 * @example
 * round3(1234.567) // 1230
 * round3(0.012345) // 0.0123
 */
export function round3(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value
  // toPrecision may answer "1.23e+3"; Number() turns it back into 1230.
  return Number(value.toPrecision(3))
}
