/**
 * Sync requests per second through node:http + toNodeHandler, as a ratio to
 * a bare node:http handler returning the same bytes (DESIGN issue 2's
 * closing figure). Each server runs in its own process; autocannon drives
 * 127.0.0.1 from this one. The request lists 100 keys the server has never
 * seen at version 0, so every answer is 200 `{"v":1,"changed":{}}`.
 *
 *   node --import tsx bench/server-throughput.ts   (prints JSON, ~40 s)
 *
 * Env: SECONDS (measured run per server, default 10), CONNECTIONS (default 32), ROUNDS (default 2;
 * servers alternate so drift on a shared machine hits both).
 */
import { loadTest, unchangedSyncBody, type LoadResult } from './lib/load.js'
import { startServerProcess } from './lib/server-process.js'

const seconds = Number(process.env.SECONDS ?? 8)
const connections = Number(process.env.CONNECTIONS ?? 32)
const rounds = Number(process.env.ROUNDS ?? 2)
const body = unchangedSyncBody(100)
const file = new URL('./lib/sync-throughput-server.ts', import.meta.url).pathname

async function measure(mode: 'reality' | 'bare'): Promise<LoadResult> {
  const server = await startServerProcess(file, { MODE: mode })
  try {
    const url = `http://127.0.0.1:${server.port}/reality/sync`
    const probe = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    const answer = await probe.text()
    if (probe.status !== 200 || answer !== '{"v":1,"changed":{}}') throw new Error(`${mode} answered ${probe.status} ${answer}`)
    return await loadTest({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body }, { seconds, warmupSeconds: 2, connections })
  } finally {
    await server.stop()
  }
}

const runs: Record<'reality' | 'bare', LoadResult[]> = { reality: [], bare: [] }
for (let round = 0; round < rounds; round++) {
  for (const mode of round % 2 === 0 ? (['bare', 'reality'] as const) : (['reality', 'bare'] as const)) {
    const result = await measure(mode)
    if (result.errors || result.non2xx) throw new Error(`${mode}: ${result.errors} errors, ${result.non2xx} non-2xx answers`)
    runs[mode].push(result)
  }
}
const best = (results: LoadResult[]) => results.reduce((a, b) => (b.rps > a.rps ? b : a))
const reality = best(runs.reality)
const bare = best(runs.bare)
console.log(
  JSON.stringify(
    {
      figure: 'server-throughput',
      request: { keys: 100, bodyBytes: Buffer.byteLength(body), answer: '{"v":1,"changed":{}}' },
      settings: { seconds, connections, rounds, node: process.version },
      realityRps: Math.round(reality.rps),
      bareRps: Math.round(bare.rps),
      ratio: Number((reality.rps / bare.rps).toFixed(3)),
      reality: runs.reality,
      bare: runs.bare,
    },
    null,
    2,
  ),
)
process.exit(0)
