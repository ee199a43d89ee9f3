/**
 * Runs an example's entry the way its npm script does (`tsx <entry>`), as a
 * child process of the test: its output, its URL once it prints it, and its
 * exit. Each gets its own TMPDIR, so a test can check that the example's
 * temporary build is gone once it stops. Stopped (SIGKILL) by
 * {@link stopExampleProcesses} if a test leaves one running.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('../', import.meta.url))
/** Running example processes and their TMPDIRs. */
const running = new Map<ExampleProcess, string>()

/**
 * A running example process.
 *
 * @example
 * const example = startExampleProcess('examples/react/serve.ts', { PORT: '0' })
 * const url = await example.url()
 */
export interface ExampleProcess {
  child: ChildProcess
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string }
  /** The first http:// URL the example printed (waits up to `timeout` ms for it). */
  url(timeout?: number): Promise<string>
  /** The example's temporary builds (`reality-*`) in the process's own TMPDIR (tsx keeps its cache there too). */
  tempFiles(): string[]
  /** SIGTERM, then the exit code; removes its TMPDIR. */
  stop(): Promise<number | null>
}

/**
 * Starts `entry` (a path from the repo root) with `env` added to this process's.
 *
 * @example
 * const demo = startExampleProcess('examples/chat/server.ts', { PORT: '0' })
 */
export function startExampleProcess(entry: string, env: Record<string, string> = {}): ExampleProcess {
  const tempDir = mkdtempSync(join(tmpdir(), 'reality-example-process-'))
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: repoRoot,
    env: { ...process.env, TMPDIR: tempDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const example: ExampleProcess = {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    async url(timeout = 90_000) {
      const deadline = Date.now() + timeout
      for (;;) {
        const found = /http:\/\/[^\s]+\//.exec(stdout)?.[0]
        if (found) return found
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`${entry} printed no URL (exit ${child.exitCode}).\nstdout: ${stdout}\nstderr: ${stderr}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    tempFiles: () => readdirSync(tempDir).filter((entry) => entry.startsWith('reality-')),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const code = await exited
      running.delete(example)
      rmSync(tempDir, { recursive: true, force: true })
      return code
    },
  }
  running.set(example, tempDir)
  return example
}

/**
 * Kills (SIGKILL) every example process a test left running; for `afterEach`.
 *
 * @example
 * afterEach(stopExampleProcesses)
 */
export async function stopExampleProcesses(): Promise<void> {
  for (const [example, tempDir] of running) {
    if (example.child.exitCode === null && example.child.signalCode === null) example.child.kill('SIGKILL')
    await example.exited
    rmSync(tempDir, { recursive: true, force: true })
  }
  running.clear()
}
