/**
 * `npm run chaos`: the full profile of the chaos suite (see chaos.ts), 40
 * stores, about 1,500 writes; prints convergence per fault and requests per
 * store per second, exits non-zero on any problem.
 */
import { runChaos } from './chaos.js'

const report = await runChaos({ stores: 40, keys: 6, writesPerFault: 250, convergeMs: 60_000 }, (line) => console.log(line))
let failed = false
for (const phase of report.phases) {
  console.log(`\n${phase.backend}: ${phase.writes} writes in ${phase.seconds.toFixed(1)} s (${phase.writesPerSecond.toFixed(2)}/s), ${phase.syncRequestsPerStorePerSecond.toFixed(2)} sync requests per store per second`)
  for (const { fault, ms } of phase.convergence) console.log(`  ${fault}: converged in ${ms} ms`)
  for (const problem of phase.problems) console.log(`  PROBLEM: ${problem}`)
  if (phase.problems.length) failed = true
}
process.exit(failed ? 1 : 0)
