/**
 * Runs one bench script in its own Node process, bounded in time. Each figure
 * gets a fresh process so heap, JIT state and open sockets of one figure never
 * leak into the next.
 */
import { spawn } from 'node:child_process'
import { RESULT_MARKER, type FigureResult } from './figure.js'

/** How to run a bench script. */
export interface ChildOptions {
  /** Script path (TypeScript; run through tsx). */
  file: string
  args?: string[]
  /** Extra Node flags, e.g. `['--expose-gc']`. */
  nodeFlags?: string[]
  /** Killed (whole process group) after this long. */
  timeoutMs: number
  env?: Record<string, string>
  /** Prefix for the child's stderr lines, echoed live so a long run shows progress. */
  label?: string
}

/** What a child left behind. */
export interface ChildOutcome {
  code: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  ms: number
  stdout: string
  stderr: string
}

/**
 * Runs `node --import tsx <file>` and resolves when it exits or is killed at
 * `timeoutMs`.
 *
 * @example
 * const out = await runChild({ file: 'bench/figures/bundle-sizes.ts', timeoutMs: 60_000 })
 */
export function runChild(options: ChildOptions): Promise<ChildOutcome> {
  const started = performance.now()
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', options.file, ...(options.args ?? [])], {
    // Own process group: a timeout kills the script and anything it spawned.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
    if (options.label) for (const line of chunk.split('\n')) if (line.trim()) process.stderr.write(`  [${options.label}] ${line}\n`)
  })
  return new Promise((resolve) => {
    let timedOut = false
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal)
      } catch {
        // Already gone.
      }
    }
    const timer = setTimeout(() => {
      timedOut = true
      killGroup('SIGTERM')
      setTimeout(() => killGroup('SIGKILL'), 2_000).unref()
    }, options.timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      // Grandchildren (servers a figure started) must not outlive it either.
      killGroup('SIGKILL')
      resolve({ code, signal, timedOut, ms: performance.now() - started, stdout, stderr })
    })
  })
}

/**
 * The figure a bench script printed with `emitResult`, or `undefined`.
 *
 * @example
 * parseFigure('noise\n@@bench-result@@ {"id":1,...}\n')
 */
export function parseFigure(stdout: string): FigureResult | undefined {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith(RESULT_MARKER))
  return line === undefined ? undefined : (JSON.parse(line.slice(RESULT_MARKER.length)) as FigureResult)
}

/**
 * The last JSON object a script printed: the whole stdout if it is JSON,
 * else the last line (or last block starting at a line with `{`) that parses.
 *
 * @example
 * lastJson('log line\n{"rps": 1}\n') // { rps: 1 }
 */
export function lastJson(stdout: string): unknown {
  const text = stdout.trim()
  try {
    return JSON.parse(text)
  } catch {
    // Not pure JSON: look for the last parseable block that starts a line.
  }
  const lines = text.split('\n')
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i]!.trimStart().startsWith('{')) continue
    try {
      return JSON.parse(lines.slice(i).join('\n'))
    } catch {
      try {
        return JSON.parse(lines[i]!)
      } catch {
        // Keep looking further up.
      }
    }
  }
  return undefined
}
