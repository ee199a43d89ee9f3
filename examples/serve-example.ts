/**
 * What every `npm run example:<framework>` does: listen first (so a busy port
 * is reported at once, not after the build), build the chat into a temp
 * folder, then serve it with the chat demo server on http://127.0.0.1:$PORT.
 * The build is removed however the process ends.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDemoServer } from './chat/app.js'
import { removeOnExit, runExample } from './chat/process.js'

/** One framework's example: its display name, its command, its port and its production build. */
export interface ExampleToServe {
  /** Shown in the startup line, e.g. `React`; lower-cased for the temp folder name and the npm script. */
  name: string
  /** Default port (see EXAMPLE_PORTS in chat/process.ts). */
  defaultPort: number
  /** Writes the production build into `outDir` (emptied first). */
  build: (outDir: string) => Promise<void>
}

/**
 * Starts the server, builds the example into the folder it serves, serves it
 * until SIGINT/SIGTERM, then removes the build.
 *
 * @example
 * await serveExample({ name: 'React', defaultPort: EXAMPLE_PORTS.react, build: buildReactExample })
 */
export async function serveExample({ name, defaultPort, build }: ExampleToServe): Promise<void> {
  const id = name.toLowerCase()
  await runExample({
    title: `Reality chat (${name})`,
    command: `npm run example:${id}`,
    defaultPort,
    hint: 'Open it in two tabs, post in one and watch it appear in the other.',
    async start({ port, host }) {
      const outDir = await mkdtemp(join(tmpdir(), `reality-${id}-`))
      removeOnExit(outDir)
      const demo = await startDemoServer({ port, host, staticDir: outDir })
      try {
        await build(outDir)
      } catch (error) {
        await demo.close()
        throw error
      }
      return demo
    },
  })
}
