/**
 * Figure 3 (runtimes): sync requests per second for 100 known keys with
 * nothing changed, Reality's handler vs a bare handler returning the same
 * bytes, each served natively by its runtime (Bun.serve, Deno.serve,
 * node:http + toNodeHandler). The handler is bundled once by esbuild.
 *
 * Args: --runtimes=bun,deno[,node]  --seconds=5
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { build } from 'esbuild'
import { emitResult, ratioCheck, type Check, type FigureResult } from '../lib/figure.js'
import { loadTest, unchangedSyncBody, type LoadResult } from '../lib/load.js'

const ROOT = resolve(import.meta.dirname, '../..')
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]))
const runtimes = (args.runtimes ?? 'bun,deno').split(',').filter(Boolean)
const seconds = Number(args.seconds ?? 5)
const BODY = unchangedSyncBody(100)
const EXPECTED = '{"v":1,"changed":{}}'

function command(runtime: string, file: string): [string, string[]] {
  if (runtime === 'node') return [process.execPath, [file]]
  if (runtime === 'bun') return [join(ROOT, 'node_modules/.bin/bun'), ['run', '--no-install', file]]
  if (runtime === 'deno') return [join(ROOT, 'node_modules/.bin/deno'), ['run', '--no-prompt', '--allow-net=127.0.0.1', '--allow-env=MODE', file]]
  throw new Error(`Unknown runtime "${runtime}" (use node, bun or deno).`)
}

/** Starts the bundled server under `runtime`, loads it, stops it. */
async function measure(runtime: string, file: string, mode: 'reality' | 'bare'): Promise<LoadResult> {
  const [bin, argv] = command(runtime, file)
  const child = spawn(bin, argv, { env: { ...process.env, MODE: mode, DO_NOT_TRACK: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
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
    const headers = { 'content-type': 'application/json' }
    // Both servers must give the same answer, or the comparison is void.
    const probe = await fetch(url, { method: 'POST', headers, body: BODY })
    const text = await probe.text()
    if (probe.status !== 200 || text !== EXPECTED) throw new Error(`${runtime}/${mode} answered ${probe.status} ${text}`)
    return await loadTest({ url, method: 'POST', headers, body: BODY }, { seconds, warmupSeconds: 1 })
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {}
    await exited
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
        const bare = await measure(runtime, file, 'bare')
        const reality = await measure(runtime, file, 'reality')
        const bad = bare.errors + bare.non2xx + reality.errors + reality.non2xx
        rows.push([runtime, Math.round(reality.rps), Math.round(bare.rps), `${(reality.rps / bare.rps).toFixed(2)}×`, reality.latencyP99Ms, bare.latencyP99Ms, bad])
        checks.push(ratioCheck(`${runtime}: Reality req/s / bare req/s`, reality.rps, bare.rps, '≥', 0.6))
        bars.push({ group: runtime, series: 'Reality', value: reality.rps }, { group: runtime, series: 'bare', value: bare.rps })
      } catch (error) {
        notes.push(`${runtime}: not measured — ${(error as Error).message}`)
      }
    }
    const result: FigureResult = {
      id: 3,
      title: 'Server throughput in Bun and Deno',
      columns: ['Runtime', 'Reality req/s', 'bare req/s', 'Ratio', 'Reality p99 ms', 'bare p99 ms', 'errors + non-2xx'],
      rows,
      checks,
      notes: [
        `autocannon from Node, 32 keep-alive connections, 1 s warm-up then ${seconds} s measured, POST of 100 known keys at version 0 (nothing changed → \`{"v":1,"changed":{}}\`).`,
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
