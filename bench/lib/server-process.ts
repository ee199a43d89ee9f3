/**
 * Starts a server script in a separate Node process with an IPC channel, so
 * a figure's client and server never share an event loop. The script calls
 * `serveOverIpc` (below) to announce its port and answer commands.
 */
import { fork, type ChildProcess } from 'node:child_process'

/** A running server process. */
export interface ServerProcess {
  port: number
  /** Sends a command and resolves with the server's reply. */
  command<T = unknown>(name: string, arg?: unknown): Promise<T>
  /** Sends a command without waiting (for latency triggers). */
  notify(name: string, arg?: unknown): void
  /** Stops the process and resolves once it has exited. */
  stop(): Promise<void>
}

interface Reply {
  id: number
  ok: boolean
  value?: unknown
  error?: string
}

/**
 * Forks `file` (through tsx) and waits for it to report its port.
 *
 * @example
 * const sse = await startServerProcess('bench/baselines/sse-server.ts')
 * await sse.command('change')
 * await sse.stop()
 */
export async function startServerProcess(file: string, env: Record<string, string> = {}, nodeFlags: string[] = []): Promise<ServerProcess> {
  const child: ChildProcess = fork(file, [], {
    execArgv: [...nodeFlags, '--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  let nextId = 1
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.on('message', (message: Reply) => {
    const waiter = pending.get(message.id)
    if (!waiter) return
    pending.delete(message.id)
    if (message.ok) waiter.resolve(message.value)
    else waiter.reject(new Error(message.error))
  })
  void exited.then(() => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${file} exited`))
    pending.clear()
  })
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start within 20 s`)), 20_000)
    child.once('message', (message: { ready?: number }) => {
      clearTimeout(timer)
      if (typeof message.ready === 'number') resolve(message.ready)
      else reject(new Error(`${file} sent ${JSON.stringify(message)} instead of its port`))
    })
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before it started`)))
  })
  return {
    port,
    command<T>(name: string, arg?: unknown) {
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
        child.send({ id, name, arg })
      })
    },
    notify(name, arg) {
      child.send({ id: 0, name, arg })
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** A command handler of a server script. */
export type CommandHandler = (arg: unknown) => unknown

/**
 * Server-script side: announces `port` to the parent and answers commands
 * until the parent disconnects (then exits, so no server outlives its figure).
 *
 * @example
 * serveOverIpc(server.address().port, { change: () => bump() })
 */
export function serveOverIpc(port: number, handlers: Record<string, CommandHandler>): void {
  if (!process.send) throw new Error('serveOverIpc() needs an IPC channel: start this script with startServerProcess().')
  process.on('message', async (message: { id: number; name: string; arg?: unknown }) => {
    const handler = handlers[message.name]
    try {
      if (!handler) throw new Error(`Unknown command "${message.name}"`)
      const value = await handler(message.arg)
      if (message.id) process.send!({ id: message.id, ok: true, value })
    } catch (error) {
      if (message.id) process.send!({ id: message.id, ok: false, error: String(error) })
    }
  })
  process.on('disconnect', () => process.exit(0))
  process.on('SIGTERM', () => process.exit(0))
  process.send({ ready: port })
}
