/**
 * `npm run bench`: runs every figure of issue 5, each in its own child
 * process bounded in time, then writes bench/RESULTS.md (+ results.json) and
 * the SVG charts. Everything talks to 127.0.0.1 only and stops by itself.
 *
 *   npm run bench                 every figure, writes the report
 *   npm run bench -- --only=2,5   just those figures, printed
 *   npm run bench -- --only=2,5 --write   re-runs those figures and writes the report with the
 *                                 other figures kept from bench/results.json (marked as from that run)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join, resolve } from 'node:path'
import { lastJson, parseFigure, runChild, type ChildOptions } from './lib/child.js'
import type { FigureResult } from './lib/figure.js'
import { describeMachine } from './lib/machine.js'
import { round3 } from './lib/percentiles.js'
import { renderReport, type FigureFailure } from './lib/report.js'
import { addNodeThroughput, heldPollsFigure } from './lib/server-figures.js'
import { barChartSvg } from './lib/svg-chart.js'

const ROOT = resolve(import.meta.dirname, '..')
const BENCH = join(ROOT, 'bench')
const argv = process.argv.slice(2)
const only = argv.find((a) => a.startsWith('--only='))?.slice(7).split(',').map(Number)
const write = !only || argv.includes('--write')
const serverThroughput = existsSync(join(BENCH, 'server-throughput.ts'))
const heldPolls = existsSync(join(BENCH, 'held-polls.ts'))

interface Step extends ChildOptions {
  /** Runs only when this says so, given what earlier steps left in `raw` (fallbacks). */
  when?(raw: Map<string, unknown>): boolean
  /** Arguments decided when the step starts, from what earlier steps left in `raw`. */
  argsFrom?(raw: Map<string, unknown>): string[]
  figure: number
  /** Turns the child's stdout into a figure, adds to one, or keeps raw JSON for a later step. */
  collect(stdout: string, figures: Map<number, FigureResult>, raw: Map<string, unknown>): void
}

const own = (figure: number, file: string, timeoutMs: number, extra: Partial<ChildOptions> = {}): Step => ({
  figure,
  file: join(BENCH, file),
  timeoutMs,
  label: `${figure}`,
  ...extra,
  collect(stdout, figures) {
    const result = parseFigure(stdout)
    if (!result) throw new Error('printed no result line')
    figures.set(result.id, result)
  },
})

const steps: Step[] = [
  own(7, 'figures/bundle-sizes.ts', 90_000),
  own(6, 'figures/hot-path.ts', 120_000, { nodeFlags: ['--expose-gc'] }),
  own(1, 'figures/coalescing.ts', 240_000),
  // Beside figure 1: the TanStack Query bridge, requests per invalidation.
  own(8, 'figures/bridges.ts', 240_000),
  own(2, 'figures/latency.ts', 240_000),
  own(9, 'figures/round-trip.ts', 150_000),
  own(10, 'figures/bursts.ts', 120_000),
  // Node from the server helper's bench when it runs; Bun and Deno (and Node
  // when that bench is missing or fails) from figures/runtime-throughput.ts.
  ...(serverThroughput
    ? [{
        figure: 3,
        file: join(BENCH, 'server-throughput.ts'),
        timeoutMs: 120_000,
        label: '3/node',
        env: { SECONDS: '5', ROUNDS: '2' },
        collect: (stdout: string, _f: Map<number, FigureResult>, raw: Map<string, unknown>) => void raw.set('server-throughput', lastJson(stdout)),
      } satisfies Step]
    : []),
  {
    ...own(3, 'figures/runtime-throughput.ts', 150_000),
    argsFrom: (raw) => [raw.has('server-throughput') ? '--runtimes=bun,deno' : '--runtimes=node,bun,deno'],
    collect(stdout, figures, raw) {
      const result = parseFigure(stdout)
      if (!result) throw new Error('printed no result line')
      if (raw.has('server-throughput')) addNodeThroughput(result, raw.get('server-throughput'))
      figures.set(3, result)
    },
  },
  ...(heldPolls
    ? [
        {
          figure: 4,
          file: join(BENCH, 'held-polls.ts'),
          nodeFlags: ['--expose-gc'],
          timeoutMs: 180_000,
          label: '4',
          collect: (stdout: string, _f: Map<number, FigureResult>, raw: Map<string, unknown>) => void raw.set('held-polls', lastJson(stdout)),
        } satisfies Step,
        {
          figure: 4,
          file: join(BENCH, 'baselines/held-polls-bare.ts'),
          nodeFlags: ['--expose-gc'],
          timeoutMs: 90_000,
          label: '4/bare',
          collect(stdout: string, figures: Map<number, FigureResult>, raw: Map<string, unknown>) {
            if (!raw.has('held-polls')) throw new Error('bench/held-polls.ts gave no result to compare with')
            figures.set(4, heldPollsFigure(raw.get('held-polls'), lastJson(stdout)))
          },
        } satisfies Step,
      ]
    : []),
  own(5, 'figures/idle-traffic.ts', 180_000),
]

async function main() {
  const started = performance.now()
  const machine = describeMachine(ROOT)
  process.stderr.write(`bench: ${machine.cpu} × ${machine.cores}, ${machine.node}, load ${machine.loadAverage}\n`)
  const figures = new Map<number, FigureResult>()
  const failures: FigureFailure[] = []
  const raw = new Map<string, unknown>()
  if (!heldPolls) failures.push({ file: 'bench/held-polls.ts', reason: 'not present in this checkout (figure 4 is written by the server helper).' })
  for (const step of steps) {
    if (only && !only.includes(step.figure)) continue
    if (step.when && !step.when(raw)) continue
    const name = step.file.slice(ROOT.length + 1)
    process.stderr.write(`bench: ${name} …\n`)
    const out = await runChild(step.argsFrom ? { ...step, args: step.argsFrom(raw) } : step)
    process.stderr.write(`bench: ${name} ${out.timedOut ? 'TIMED OUT' : `exit ${out.code}`} in ${(out.ms / 1000).toFixed(1)} s\n`)
    try {
      if (out.timedOut) throw new Error(`killed after ${step.timeoutMs / 1000} s`)
      if (out.code !== 0) throw new Error(`exited with ${out.code ?? out.signal}: ${out.stderr.trim().split('\n').slice(-3).join(' ')}`)
      step.collect(out.stdout, figures, raw)
    } catch (error) {
      failures.push({ file: name, reason: (error as Error).message })
    }
  }
  // --only with --write: the figures not re-run keep their committed results, with a note saying so.
  if (only && write && existsSync(join(BENCH, 'results.json'))) {
    const previous = JSON.parse(readFileSync(join(BENCH, 'results.json'), 'utf8')) as { machine: { commit: string; date: string }; figures: FigureResult[] }
    for (const figure of previous.figures) {
      if (figures.has(figure.id) || only.includes(figure.id)) continue
      const from = `Kept from the run of ${previous.machine.date.slice(0, 10)} (commit ${previous.machine.commit}); not re-run with the figures above.`
      figures.set(figure.id, { ...figure, notes: figure.notes.some((note) => note.startsWith('Kept from the run')) ? figure.notes : [from, ...figure.notes] })
    }
  }
  const record = { machine, figures: [...figures.values()], failures, totalSeconds: (performance.now() - started) / 1000, loadAverageAtEnd: Math.round(os.loadavg()[0]! * 100) / 100 }
  for (const figure of record.figures.sort((a, b) => a.id - b.id)) {
    for (const check of figure.checks) console.log(`${check.pass ? 'PASS' : 'MISS'}  ${figure.id}. ${check.label}: ${round3(check.ratio)}× (target ${check.target})`)
  }
  for (const failure of failures) console.log(`FAILED  ${failure.file}: ${failure.reason}`)
  if (write) {
    writeFileSync(join(BENCH, 'RESULTS.md'), renderReport(record))
    writeFileSync(join(BENCH, 'results.json'), JSON.stringify(record, null, 2) + '\n')
    for (const chart of record.figures.flatMap((f) => f.charts ?? [])) writeFileSync(join(BENCH, chart.file), barChartSvg(chart))
    console.log(`wrote bench/RESULTS.md, bench/results.json and ${record.figures.flatMap((f) => f.charts ?? []).length} charts in ${Math.round(record.totalSeconds)} s`)
  }
  // A figure that crashed fails the run; targets missed do not (the report says so).
  process.exitCode = failures.length ? 1 : 0
}

await main()
