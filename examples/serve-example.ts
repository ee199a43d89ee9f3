/**
 * What every `npm run example:<framework>` does: build the chat into a temp
 * folder and serve it with the chat demo server on http://127.0.0.1:$PORT
 * (default 3000), removing the build when the process is stopped.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDemoServer } from './chat/app.js'
import { closeOnSignals, parsePort } from './chat/process.js'

/** One framework's example: its display name and its production build. */
export interface ExampleToServe {
  /** Shown in the startup line, e.g. `React`; lower-cased for the temp folder name. */
  name: string
  /** Writes the production build into `outDir` (emptied first). */
  build: (outDir: string) => Promise<void>
}

/**
 * Builds the example, serves it until SIGINT/SIGTERM, then removes the build.
 *
 * @example
 * await serveExample({ name: 'React', build: buildReactExample })
 */
export async function serveExample({ name, build }: ExampleToServe): Promise<void> {
  const port = parsePort(process.env.PORT)

  const outDir = await mkdtemp(join(tmpdir(), `reality-${name.toLowerCase()}-`))
  const removeBuild = () => rm(outDir, { recursive: true, force: true })
  try {
    await build(outDir)
  } catch (error) {
    await removeBuild()
    throw error
  }
  const demo = await startDemoServer({ port, staticDir: outDir })
  console.log(`Reality chat (${name}): ${demo.url}\nOpen it in two tabs, post in one and watch it appear in the other. Ctrl+C stops.`)

  closeOnSignals(() => demo.close().then(removeBuild))
}
