/**
 * Figure 3 (runtimes): sync requests per second for 100 known keys with
 * nothing changed, Reality's handler vs a bare handler returning the same
 * bytes, each served natively by its runtime (Bun.serve, Deno.serve,
 * node:http + toNodeHandler). The handler is bundled once by esbuild.
 *
 * Args: --runtimes=bun,deno[,node]  --seconds=5
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { build } from 'esbuild'
import { emitResult, ratioCheck, type Check, type FigureResult } from '../lib/figure.js'
import { learnUnchangedBody, loadTest, unchangedSyncBody } from '../lib/load.js'
import { summarize } from '../lib/percentiles.js'

const ROOT = resolve(import.meta.dirname, '../..')
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]))
const runtimes = (args.runtimes ?? 'bun,deno').split(',').filter(Boolean)
const seconds = Number(args.seconds ?? 4)
const ROUNDS = 2
const HEADERS = { 'content-type': 'application/json' }
/**
 * The measured body: 100 keys at the versions this Reality server reports
 * (never-written keys read as the store's floor version, not 0), learned
 * per runtime by one sync with `null` versions, so every answer is "nothing
 * changed". The bare servers ignore what they are sent.
 */
let BODY = unchangedSyncBody(100)

const EXPECTED = '{"v":1,"changed":{}}'

function command(runtime: string, file: string): [string, string[]] {
  if (runtime === 'node') return [process.execPath, [file]]
  if (runtime === 'bun') return [join(ROOT, 'node_modules/.bin/bun'), ['run', '--no-install', file]]
  if (runtime === 'deno') return [join(ROOT, 'node_modules/.bin/deno'), ['run', '--no-prompt', '--allow-net=127.0.0.1', '--allow-env=MODE', file]]
  throw new Error(`Unknown runtime "${runtime}" (use node, bun or deno).`)
}

/** A runtime server process, running until `stop()`. */
interface Running {
  url: string
  /** CPU time (user + system) the process used so far, µs (Linux /proc). */
  cpuMicros(): number
  stop(): Promise<void>
}

const TICKS_PER_SECOND = 100 // USER_HZ on Linux

/** Starts the bundled server under `runtime` in `mode` and checks its answer. */
async function start(runtime: string, file: string, mode: 'reality' | 'bare'): Promise<Running> {
  const [bin, argv] = command(runtime, file)
  const child = spawn(bin, argv, { env: { ...process.env, MODE: mode, DO_NOT_TRACK: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {}
    await exited
  }
  let stderr = ''
  child.stderr.on('data', (c) => (stderr += c))
  try {
    const port = await new Promise<number>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`${runtime} did not start in 30 s: ${stderr}`)), 30_000)
      let out = ''
      child.stdout.on('data', (chunk) => {
        out += chunk
        const match = /listening (\d+)/.exec(out)
        if (match) {
          clearTimeout(timer)
          done(Number(match[1]))
        }
      })
      void exited.then(() => fail(new Error(`${runtime} exited before listening: ${stderr}`)))
    })
    const url = `http://127.0.0.1:${port}/reality/sync`
    if (mode === 'reality') BODY = await learnUnchangedBody(url, 100)
    // Both servers must give the same answer, or the comparison is void.
    const probe = await fetch(url, { method: 'POST', headers: HEADERS, body: BODY })
    const text = await probe.text()
    if (probe.status !== 200 || text !== EXPECTED) throw new Error(`${runtime}/${mode} answered ${probe.status} ${text}`)
    const cpuMicros = () => {
      // Fields 14 and 15 (utime, stime) of /proc/<pid>/stat, after the ")" that ends the command name.
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1e6
    }
    return { url, cpuMicros, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

interface Round {
  rps: number
  p99: number
  bad: number
  cpuMicrosPerRequest: number
}

async function load(server: Running, runSeconds: number): Promise<Round> {
  const cpu0 = server.cpuMicros()
  const result = await loadTest({ url: server.url, method: 'POST', headers: HEADERS, body: BODY }, { seconds: runSeconds, warmupSeconds: 0 })
  return { rps: result.rps, p99: result.latencyP99Ms, bad: result.errors + result.non2xx, cpuMicrosPerRequest: (server.cpuMicros() - cpu0) / result.total }
}

/** Both servers of one runtime side by side: warm-up, then alternating rounds; medians. */
async function measure(runtime: string, file: string) {
  // Reality first: it decides the body (its versions) both are sent.
  const reality = await start(runtime, file, 'reality')
  const servers = { reality, bare: await start(runtime, file, 'bare').catch(async (error) => (await reality.stop(), Promise.reject(error))) }
  try {
    await load(servers.bare, 1)
    await load(servers.reality, 1)
    const rounds: Record<'bare' | 'reality', Round[]> = { bare: [], reality: [] }
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of round % 2 ? (['reality', 'bare'] as const) : (['bare', 'reality'] as const)) rounds[mode].push(await load(servers[mode], seconds))
    }
    const med = (list: Round[], pick: (r: Round) => number) => summarize(list.map(pick)).p50
    return {
      reality: { rps: med(rounds.reality, (r) => r.rps), p99: med(rounds.reality, (r) => r.p99), cpu: med(rounds.reality, (r) => r.cpuMicrosPerRequest) },
      bare: { rps: med(rounds.bare, (r) => r.rps), p99: med(rounds.bare, (r) => r.p99), cpu: med(rounds.bare, (r) => r.cpuMicrosPerRequest) },
      bad: [...rounds.bare, ...rounds.reality].reduce((n, r) => n + r.bad, 0),
    }
  } finally {
    await Promise.all([servers.bare.stop(), servers.reality.stop()])
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'reality-bench-rt-'))
  const file = join(dir, 'server.mjs')
  try {
    await build({
      entryPoints: [join(ROOT, 'bench/servers/runtime-entry.ts')],
      outfile: file,
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      external: ['node:*'],
      target: 'es2022',
      logLevel: 'silent',
    })
    const rows: (string | number)[][] = []
    const checks: Check[] = []
    const bars = []
    const notes: string[] = []
    for (const runtime of runtimes) {
      try {
        const { reality, bare, bad } = await measure(runtime, file)
        rows.push([runtime, Math.round(reality.rps), Math.round(bare.rps), `${(reality.rps / bare.rps).toFixed(2)}×`, reality.cpu.toFixed(1), bare.cpu.toFixed(1), `${(bare.cpu / reality.cpu).toFixed(2)}×`, reality.p99, bare.p99, bad])
        const why = `The server spends ${reality.cpu.toFixed(1)} µs of CPU per sync against ${bare.cpu.toFixed(1)} µs for the bare handler, which only drains the body and returns a constant: Reality also parses and checks 100 keys, reads their versions and builds the JSON answer and its headers on every request. What would move it: a fetch-path fast path like the Node adapter's (read the body as text at once, no per-request Headers/Response construction beyond one), and cheaper key checks for the common "nothing changed" answer. On this 2-core machine autocannon competes with the server, so req/s ratios drift between runs; the CPU ratio is the steadier of the two.`
        checks.push(ratioCheck(`${runtime}: Reality req/s / bare req/s`, reality.rps, bare.rps, '≥', 0.6, why))
        // The same target on server CPU per request: 1/CPU is the throughput the server alone could reach.
        checks.push(ratioCheck(`${runtime}: bare server CPU per request / Reality's (throughput the server alone allows)`, bare.cpu, reality.cpu, '≥', 0.6, why))
        bars.push({ group: runtime, series: 'Reality', value: reality.rps }, { group: runtime, series: 'bare', value: bare.rps })
      } catch (error) {
        notes.push(`${runtime}: not measured — ${(error as Error).message}`)
      }
    }
    const result: FigureResult = {
      id: 3,
      title: 'Server throughput (Node, Bun, Deno)',
      columns: ['Runtime', 'Reality req/s', 'bare req/s', 'Ratio (req/s)', 'Reality server CPU µs/req', 'bare server CPU µs/req', 'Ratio (bare CPU / Reality CPU)', 'Reality p99 ms', 'bare p99 ms', 'errors + non-2xx'],
      rows,
      checks,
      notes: [
        `Bun/Deno rows: both servers started side by side, 1 s warm-up each, then ${ROUNDS} alternating rounds of ${seconds} s (medians); autocannon from Node, 32 keep-alive connections, POST of 100 known keys at the versions the server reports for them (nothing changed → \`{"v":1,"changed":{}}\`).`,
        'Server CPU µs per request (user + system time of the server process over the round, from /proc) is the cross-check that a busy machine distorts least: req/s depend on what else runs on the 2 cores, CPU per request much less.',
        'Bare = a handler in the same runtime that reads the request body and returns the same bytes and headers; both bundled by esbuild into one ESM file (Bun.serve / Deno.serve / node:http).',
        'Load generator and server share the 2 cores, so absolute req/s are low; the ratio is what is compared.',
        ...notes,
      ],
      charts: [{ file: 'throughput-runtimes.svg', title: 'Sync requests per second, nothing changed (higher is better)', unit: 'req/s', bars }],
    }
    emitResult(result)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
