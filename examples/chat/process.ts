/**
 * The process side of the runnable examples (`npm run demo` and every
 * `npm run example:<name>`): reading `PORT` and `HOST`, saying in words why a
 * start failed (a busy port, an address this machine does not have), and
 * stopping cleanly — temporary build folders included, however the process
 * ends.
 */
import { rmSync } from 'node:fs'

/**
 * Each runnable example's default port, so two of them run side by side.
 *
 * @example
 * parsePort(process.env.PORT, EXAMPLE_PORTS.react) // 3001 unless PORT says otherwise
 */
export const EXAMPLE_PORTS = {
  demo: 3000,
  react: 3001,
  vue: 3002,
  svelte: 3003,
  solid: 3004,
  'micro-frontends': 3005,
  ssr: 3006,
  tanstack: 3007,
} as const

/**
 * Reads `PORT`: unset means `defaultPort`, `0` picks any free port, anything
 * but an integer 0–65535 is refused with a message rather than silently
 * replaced.
 *
 * @example
 * parsePort(undefined)       // 3000
 * parsePort(undefined, 3001) // 3001
 * parsePort('8080')          // 8080
 */
export function parsePort(value: string | undefined, defaultPort: number = EXAMPLE_PORTS.demo): number {
  if (value === undefined || value.trim() === '') return defaultPort
  const port = Number(value)
  if (!/^\d+$/.test(value.trim()) || port > 65535) throw new UsageError(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(value)}.`)
  return port
}

/**
 * Reads `HOST`, the interface to listen on: unset means `127.0.0.1` (this
 * machine only); `0.0.0.0` (or `::`) makes the example reachable from others.
 *
 * @example
 * parseHost(undefined)  // '127.0.0.1'
 * parseHost('0.0.0.0')  // '0.0.0.0'
 */
export function parseHost(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return '127.0.0.1'
  const host = value.trim()
  if (/[\s/]/.test(host)) throw new UsageError(`HOST must be a host name or an IP address like 0.0.0.0, got ${JSON.stringify(value)}.`)
  return host
}

/**
 * A mistake in how the example was started (a bad `PORT` or `HOST`): its
 * message is the whole story, no stack trace needed.
 *
 * @example
 * throw new UsageError('PORT must be an integer from 0 to 65535, got "eighty".')
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/**
 * What went wrong at start, in words: a busy port or a missing address gets
 * the way out (which variable to set); anything else its message.
 *
 * @example
 * explainStartFailure(error, { port: 3001, host: '127.0.0.1', command: 'npm run example:react' })
 * // 'Port 3001 is already in use (another example or app is running on it). Pick another one: PORT=4001 npm run example:react, or PORT=0 for any free port.'
 */
export function explainStartFailure(error: unknown, where: { port: number; host: string; command: string }): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (code === 'EADDRINUSE') {
    const other = where.port === 0 ? 4000 : where.port + 1000 > 65535 ? 4000 : where.port + 1000
    return `Port ${where.port} is already in use (another example or app is running on it). Pick another one: PORT=${other} ${where.command}, or PORT=0 for any free port.`
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `HOST=${where.host} is not an address of this machine. Use HOST=127.0.0.1 (this machine only) or HOST=0.0.0.0 (every interface).`
  }
  if (code === 'EACCES') return `Port ${where.port} needs privileges to listen on. Pick one above 1023: PORT=4000 ${where.command}.`
  return error instanceof Error ? error.message : String(error)
}

/**
 * Removes `dir` when the process exits, however it exits (normal end, an
 * error, `process.exit` after Ctrl+C): the examples' temporary builds never
 * outlive them.
 *
 * @example
 * const outDir = await mkdtemp(join(tmpdir(), 'reality-react-'))
 * removeOnExit(outDir)
 */
export function removeOnExit(dir: string): void {
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
}

/** A started example: where it is and how to stop it. */
export interface RunningExample {
  url: string
  close(): Promise<unknown>
}

/**
 * Runs an example as a command: reads `PORT` (default `defaultPort`) and
 * `HOST`, starts it, prints its URL and `hint`, stops on SIGINT/SIGTERM. A
 * failed start prints one line saying why (no stack trace) and exits 1.
 *
 * @example
 * await runExample({ title: 'Reality chat (React)', command: 'npm run example:react', defaultPort: 3001, hint: '…', start })
 */
export async function runExample(example: {
  title: string
  command: string
  defaultPort: number
  hint: string
  start: (address: { port: number; host: string }) => Promise<RunningExample>
}): Promise<void> {
  let running: RunningExample | undefined
  // Listening from the start: Ctrl+C during a build still exits through
  // process.exit, so removeOnExit() cleanups run.
  closeOnSignals(async () => running?.close())
  let port = example.defaultPort
  let host = '127.0.0.1'
  try {
    port = parsePort(process.env.PORT, example.defaultPort)
    host = parseHost(process.env.HOST)
    running = await example.start({ port, host })
  } catch (error) {
    console.error(explainStartFailure(error, { port, host, command: example.command }))
    process.exit(1)
  }
  console.log(`${example.title}: ${running.url}`)
  console.log(`${example.hint} Ctrl+C stops.`)
}

/**
 * On SIGINT/SIGTERM: says so, runs `close`, and exits 0 (1 if closing failed).
 *
 * @example
 * closeOnSignals(() => demo.close())
 */
export function closeOnSignals(close: () => Promise<unknown>): void {
  const stop = (signal: NodeJS.Signals) => {
    console.log(`${signal}: stopping…`)
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : error)
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
