/**
 * The shape every figure script prints and the report writer reads. A figure
 * is a table of measurements plus checks: each check is a ratio against a
 * baseline measured in the same run, compared with its target.
 */

/** One measured ratio against its baseline, next to its target. */
export interface Check {
  /** What is compared, e.g. "inline payload p50 / SSE p50". */
  label: string
  /** The ratio measured (measured / baseline unless `label` says otherwise). */
  ratio: number
  /** The target, as text, e.g. "≤ 1.2×". */
  target: string
  pass: boolean
  /** When missed: what limits it and what would move it (shown in the report's "Missed targets"). */
  why?: string
}

/** A bar of a chart: one value of one series in one group. */
export interface ChartBar {
  group: string
  series: string
  value: number
}

/** A chart the report writer renders to `bench/<file>`. */
export interface ChartSpec {
  /** File name under `bench/`, e.g. "latency.svg". */
  file: string
  title: string
  unit: string
  bars: ChartBar[]
  /** Logarithmic value axis, for values that span decades. */
  log?: boolean
  /** Each group gets its own linear scale (its largest bar full width), e.g. p50 and p99 side by side. */
  scalePerGroup?: boolean
}

/** What a figure script reports. */
export interface FigureResult {
  /** Issue 5 figure number (1–7); 8 is the TanStack Query bridge (issue 16). */
  id: number
  title: string
  /** Markdown table: column headers and rows of cells. */
  columns: string[]
  rows: (string | number)[][]
  checks: Check[]
  /** Method, conditions and caveats, one sentence each. */
  notes: string[]
  charts?: ChartSpec[]
}

/** Prefix of the line that carries a figure's JSON on a child's stdout. */
export const RESULT_MARKER = '@@bench-result@@ '

/**
 * Prints a figure result where the runner picks it up (one line on stdout).
 *
 * @example
 * emitResult({ id: 7, title: 'Bundle sizes', columns: [], rows: [], checks: [], notes: [] })
 */
export function emitResult(result: FigureResult): void {
  process.stdout.write(`\n${RESULT_MARKER}${JSON.stringify(result)}\n`)
}

/**
 * A check `measured / baseline ≤ limit` (or ≥ for `atLeast`).
 *
 * @example
 * ratioCheck('payload p50 / SSE p50', 1.1, 1, '≤', 1.2) // { ratio: 1.1, pass: true, target: '≤ 1.2×', … }
 */
export function ratioCheck(label: string, measured: number, baseline: number, op: '≤' | '≥', limit: number, why?: string): Check {
  if (!(baseline > 0)) throw new RangeError(`Baseline of "${label}" must be positive, got ${baseline}.`)
  const ratio = measured / baseline
  const check: Check = { label, ratio, target: `${op} ${limit}×`, pass: op === '≤' ? ratio <= limit : ratio >= limit }
  if (why) check.why = why
  return check
}
