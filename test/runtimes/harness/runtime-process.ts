/**
 * Starts a runtime as a child process in its own process group, waits for
 * the `READY <port>` line it prints once it serves HTTP, and stops it while
 * proving that nothing of the group (workerd under Miniflare, a Node shim's
 * child…) is left running.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { waitFor } from './wait-for.js'

/**
 * A runtime serving HTTP on 127.0.0.1.
 *
 * @example
 * const running: RunningRuntime = await startRuntime(command)
 * await fetch(`${running.origin}/probe`)
 */
export interface RunningRuntime {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** Everything the process wrote so far, for failure messages. */
  output(): string
  /** SIGTERMs the process, waits for it and its whole group to be gone; throws if they are not. */
  stop(): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>
}

/**
 * How to start a runtime.
 *
 * @example
 * const command: RuntimeCommand = { command: process.execPath, args: ['node-main.mjs'], cwd: dir }
 */
export interface RuntimeCommand {
  command: string
  args: string[]
  cwd: string
  env?: NodeJS.ProcessEnv
  /** How long `stop()` waits for the process and its group to be gone (default 60 s). */
  shutdownTimeoutMs?: number
}

/** Default bound for startup and shutdown, not a performance threshold: only a hung runtime reaches it. */
const PROCESS_TIMEOUT_MS = 60_000

/**
 * Spawns `command` detached (a new process group whose id is the child's pid)
 * and resolves once it printed `READY <port>`; rejects with its output if it
 * exits first or never gets ready.
 *
 * @example
 * const runtime = await startRuntime({ command: bunPath, args: ['bun-main.mjs'], cwd: dir })
 * await fetch(`${runtime.origin}/probe`)
 * await runtime.stop()
 */
export async function startRuntime({ command, args, cwd, env, shutdownTimeoutMs = PROCESS_TIMEOUT_MS }: RuntimeCommand): Promise<RunningRuntime> {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  let port: number | undefined
  let exited: { exitCode: number | null; signal: NodeJS.Signals | null } | undefined
  let spawnError: Error | undefined
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
    port ??= readyPort(output)
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  child.on('error', (error) => {
    spawnError = error
  })
  const exitedPromise = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (exitCode, signal) => {
      exited = { exitCode, signal }
      resolve(exited)
    })
  })

  // 'close' follows 'exit' once stdout/stderr are drained (never, while an orphan holds them open).
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()))

  const pgid = child.pid
  try {
    await waitFor(() => port !== undefined || exited !== undefined || spawnError !== undefined, {
      timeoutMs: PROCESS_TIMEOUT_MS,
      what: `${command} to print READY`,
    })
    if (port === undefined) throw new Error(`exited before READY: ${JSON.stringify(exited)} ${spawnError ?? ''}`)
  } catch (error) {
    if (pgid !== undefined) killGroup(pgid, 'SIGKILL')
    // Let the last output of a crashed process arrive, for the error message.
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5_000).unref())])
    throw new Error(`${command} ${args.join(' ')} did not start: ${(error as Error).message}\n${output}`)
  }

  return {
    origin: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (exited === undefined) child.kill('SIGTERM')
      const result = await withTimeout(exitedPromise, `${command} to exit after SIGTERM`, child, shutdownTimeoutMs)
      try {
        await waitFor(() => !groupAlive(pgid!), { timeoutMs: shutdownTimeoutMs, what: `process group ${pgid} to empty` })
      } catch (error) {
        killGroup(pgid!, 'SIGKILL')
        throw new Error(`orphans left in process group ${pgid} after ${command} exited: ${(error as Error).message}`)
      }
      return result
    },
  }
}

function readyPort(output: string): number | undefined {
  const match = /^READY (\d+)$/m.exec(output)
  return match ? Number(match[1]) : undefined
}

/** `kill(-pgid, 0)` succeeds while any process of the group exists. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw error
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {
    // Already gone.
  }
}

async function withTimeout<T>(promise: Promise<T>, what: string, child: ChildProcess, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL')
      reject(new Error(`timed out waiting for ${what}`))
    }, timeoutMs)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
