/**
 * `npm run demo`: starts the chat on http://127.0.0.1:$PORT (default 3000).
 * Open it in two tabs and post in one; it appears in the other.
 */
import { startDemoServer } from './app.js'
import { closeOnSignals, parsePort } from './process.js'

async function main(): Promise<void> {
  const port = parsePort(process.env.PORT)
  const demo = await startDemoServer({ port, log: (line) => console.log(line) })
  console.log(`Reality chat demo: ${demo.url}`)
  console.log('Open it in two tabs, post in one and watch it appear in the other. Ctrl+C stops.')

  closeOnSignals(() => demo.close())
}

main().catch((error: unknown) => {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`Port ${process.env.PORT ?? 3000} is already in use. Pick another one: PORT=4000 npm run demo`)
  } else {
    console.error(error instanceof Error ? error.message : error)
  }
  process.exitCode = 1
})
