/**
 * The process side of the runnable examples (`npm run demo` and every
 * `npm run example:<framework>`): reading `PORT` and stopping cleanly.
 */

/**
 * Reads `PORT`: unset means 3000, anything but an integer 0–65535 is refused
 * with a message rather than silently replaced.
 *
 * @example
 * parsePort(undefined) // 3000
 * parsePort('8080')    // 8080
 */
export function parsePort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 3000
  const port = Number(value)
  if (!/^\d+$/.test(value.trim()) || port > 65535) throw new RangeError(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(value)}.`)
  return port
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
        console.error(error)
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
