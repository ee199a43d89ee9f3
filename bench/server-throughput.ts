/**
 * Sync requests per second through node:http + toNodeHandler, as a ratio to
 * a bare node:http handler returning the same bytes (issue 2's closing
 * figure). Both servers run at once, each in its own process; autocannon
 * drives 127.0.0.1 from this one, alternating short runs between them so
 * load from anything else on the machine hits both alike. The request lists
 * 100 keys at the versions the server reports for them (learned first), so
 * every answer is 200 `{"v":1,"changed":{}}`.
 *
 *   node --import tsx bench/server-throughput.ts   (prints JSON, ~45 s)
 *
 * Env: ROUNDS (alternating pairs, default 6), SECONDS (per run, default 3), CONNECTIONS (default 32).
 */
import { learnUnchangedBody, loadTest, type LoadResult } from './lib/load.js'
import { summarize } from './lib/percentiles.js'
import { startServerProcess, type ServerProcess } from './lib/server-process.js'

const rounds = Number(process.env.ROUNDS ?? 6)
const seconds = Number(process.env.SECONDS ?? 3)
const connections = Number(process.env.CONNECTIONS ?? 32)
const file = new URL('./lib/sync-throughput-server.ts', import.meta.url).pathname
const UNCHANGED = '{"v":1,"changed":{}}'
type Mode = 'reality' | 'bare'

const servers: Record<Mode, ServerProcess> = {
  reality: await startServerProcess(file, { MODE: 'reality' }),
  bare: await startServerProcess(file, { MODE: 'bare' }),
}
const body = await learnUnchangedBody(`http://127.0.0.1:${servers.reality.port}/reality/sync`, 100)
const request = (mode: Mode) => ({ url: `http://127.0.0.1:${servers[mode].port}/reality/sync`, method: 'POST', headers: { 'content-type': 'application/json' }, body })

interface Run extends LoadResult {
  /** Server CPU time (user + system) per answered request, in µs. */
  cpuMicrosPerRequest: number
}

async function run(mode: Mode, runSeconds = seconds): Promise<Run> {
  const cpuBefore = await servers[mode].command<number>('cpu')
  const result = await loadTest(request(mode), { seconds: runSeconds, warmupSeconds: 0, connections })
  const cpuAfter = await servers[mode].command<number>('cpu')
  if (result.errors || result.non2xx) throw new Error(`${mode}: ${result.errors} errors, ${result.non2xx} non-2xx answers`)
  return { ...result, cpuMicrosPerRequest: (cpuAfter - cpuBefore) / result.total }
}

try {
  for (const mode of ['reality', 'bare'] as const) {
    const probe = await fetch(request(mode).url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    const answer = await probe.text()
    if (probe.status !== 200 || answer !== UNCHANGED) throw new Error(`${mode} answered ${probe.status} ${answer}`)
  }
  for (const mode of ['reality', 'bare'] as const) await run(mode, 2) // warm-up: JIT, connections
  const runs: Record<Mode, Run[]> = { reality: [], bare: [] }
  const ratios: number[] = []
  for (let round = 0; round < rounds; round++) {
    const order: Mode[] = round % 2 === 0 ? ['bare', 'reality'] : ['reality', 'bare']
    for (const mode of order) runs[mode].push(await run(mode))
    ratios.push(runs.reality[round]!.rps / runs.bare[round]!.rps)
  }
  const median = (results: Run[]) => summarize(results.map((result) => result.rps)).p50
  const cpu = (results: Run[]) => summarize(results.map((result) => result.cpuMicrosPerRequest)).p50
  const round3 = (n: number) => Number(n.toFixed(3))
  console.log(
    JSON.stringify(
      {
        figure: 'server-throughput',
        request: { keys: 100, bodyBytes: Buffer.byteLength(body), answer: UNCHANGED },
        settings: { rounds, seconds, connections, node: process.version },
        realityRps: Math.round(median(runs.reality)),
        bareRps: Math.round(median(runs.bare)),
        ratio: round3(median(runs.reality) / median(runs.bare)),
        ratioPerRound: ratios.map(round3),
        medianRatioPerRound: round3(summarize(ratios).p50),
        // Server CPU per request (median over rounds): the same comparison, robust to a busy machine.
        cpuMicrosPerRequest: { reality: round3(cpu(runs.reality)), bare: round3(cpu(runs.bare)) },
        cpuRatio: round3(cpu(runs.bare) / cpu(runs.reality)),
        realityRpsPerRound: runs.reality.map((result) => Math.round(result.rps)),
        bareRpsPerRound: runs.bare.map((result) => Math.round(result.rps)),
        latencyP99Ms: { reality: runs.reality.map((r) => r.latencyP99Ms), bare: runs.bare.map((r) => r.latencyP99Ms) },
      },
      null,
      2,
    ),
  )
} finally {
  await Promise.all([servers.reality.stop(), servers.bare.stop()])
}
process.exit(0)
