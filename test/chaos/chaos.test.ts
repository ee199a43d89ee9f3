/**
 * The chaos suite's CI profile: 10 stores, fewer writes; on Redis every
 * fault but the 404 one, on Postgres the backend termination storm and a
 * kill -9. The 404 fault runs only in the full profile (`npm run chaos`): a
 * store that gets a 404 waits 45–75 s in `error` by design (ARCHITECTURE.md
 * C7). About 90 s on an idle 2-core machine; the timeout leaves room for a
 * loaded one.
 */
import { describe, expect, it } from 'vitest'
import { serviceMissing } from '../../server/versions/test-services.js'
import { redisServerMissing } from '../redis-process.js'
import { runChaos } from './chaos.js'

const missing = (await serviceMissing('PostgreSQL')) ?? redisServerMissing()

describe.skipIf(missing)(`chaos suite, CI profile${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('3 instances, 10 stores, every fault: no crash, no lost update, no version back, no storm, all idle after', async () => {
    const report = await runChaos(
      {
        stores: 10,
        keys: 4,
        writesPerFault: 20,
        convergeMs: 30_000,
        faults: {
          redis: ['kill -9 + restart', 'SIGSTOP 3 s + SIGCONT', 'redis killed, restarted empty', '503 burst', 'HTML 200 / truncated 200'],
          postgres: ['backend termination storm', 'kill -9 + restart'],
        },
      },
      (line) => console.log(line),
    )
    for (const phase of report.phases) {
      console.log(
        `[chaos] ${phase.backend}: ${phase.writes} writes, ${phase.syncRequestsPerStorePerSecond.toFixed(2)} sync req/store/s; ` +
          phase.convergence.map(({ fault, ms }) => `${fault} ${ms} ms`).join(', '),
      )
    }
    expect(report.phases.flatMap((phase) => phase.problems)).toEqual([])
  }, 300_000)
})
