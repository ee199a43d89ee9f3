import { describe, expect, it } from 'vitest'
import type { FigureResult } from './figure.js'
import type { MachineInfo } from './machine.js'
import { renderReport } from './report.js'

const machine: MachineInfo = {
  cpu: 'Test CPU', cores: 2, memoryGiB: 4, os: 'Linux', node: 'v20', bun: '1', deno: '2',
  commit: 'abc123', date: '2026-01-01T00:00:00.000Z', loadAverage: 0.5, packages: { reality: '0.1.0' },
}
const figure = (pass: boolean): FigureResult => ({
  id: 2, title: 'Latency', columns: ['Path', 'p50 ms'], rows: [['SSE | push', 0.25]],
  checks: [{ label: 'payload p50 / SSE p50', ratio: pass ? 1.1 : 2.06, target: '≤ 1.2×', pass, why: 'Long-polling costs one response per change.' }],
  notes: ['One note.'], charts: [{ file: 'latency.svg', title: 'Latency', unit: 'ms', bars: [] }],
})

describe('renderReport', () => {
  it('records the machine and puts every check next to its target with PASS/MISS', () => {
    const md = renderReport({ machine, figures: [figure(false)], failures: [], totalSeconds: 10, loadAverageAtEnd: 1 })
    expect(md).toContain('Test CPU × 2 cores')
    expect(md).toContain('| 2. Latency | payload p50 / SSE p50 | 2.06× | ≤ 1.2× | **MISS** |')
    expect(md).toContain('![Latency](latency.svg)')
    // Cells cannot break the table.
    expect(md).toContain('SSE \\| push')
  })
  it('says plainly what missed, with what limits it', () => {
    const md = renderReport({ machine, figures: [figure(false)], failures: [{ file: 'bench/x.ts', reason: 'timed out' }], totalSeconds: 10, loadAverageAtEnd: 1 })
    expect(md).toMatch(/Figure 2 \(Latency\): payload p50 \/ SSE p50 is 2\.06×, target ≤ 1\.2×\. MISSED\. Long-polling costs one response per change\./)
    expect(md).toContain('1 script(s) failed')
    expect(md).toContain('`bench/x.ts`: timed out')
  })
  it('says so when every target was met', () => {
    const md = renderReport({ machine, figures: [figure(true)], failures: [], totalSeconds: 10, loadAverageAtEnd: 1 })
    expect(md).toContain('1 of 1 checks PASS')
    expect(md).toContain('None: every check met its target in this run.')
    expect(md).not.toContain('Long-polling costs')
  })
})
