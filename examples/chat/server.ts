/**
 * `npm run demo`: starts the chat on http://127.0.0.1:$PORT (default 3000).
 * Open it in two tabs and post in one; it appears in the other.
 */
import { startDemoServer } from './app.js'

/**
 * Reads `PORT`: unset means 3000, anything but an integer 0–65535 is refused
 * with a message rather than silently replaced.
 *
 * @example
 * parsePort(undefined) // 3000
 * parsePort('8080')    // 8080
 */
function parsePort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 3000
  const port = Number(value)
  if (!/^\d+$/.test(value.trim()) || port > 65535) throw new RangeError(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(value)}.`)
  return port
}

async function main(): Promise<void> {
  const port = parsePort(process.env.PORT)
  const demo = await startDemoServer({ port, log: (line) => console.log(line) })
  console.log(`Reality chat demo: ${demo.url}`)
  console.log('Open it in two tabs, post in one and watch it appear in the other. Ctrl+C stops.')

  const stop = (signal: NodeJS.Signals) => {
    console.log(`${signal}: stopping…`)
    demo.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error: unknown) => {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`Port ${process.env.PORT ?? 3000} is already in use. Pick another one: PORT=4000 npm run demo`)
  } else {
    console.error(error instanceof Error ? error.message : error)
  }
  process.exitCode = 1
})
