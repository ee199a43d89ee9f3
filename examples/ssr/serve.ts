/**
 * `npm run example:ssr`: builds the SSR example with Vite into a temp folder
 * and serves it on http://127.0.0.1:$PORT (default 3006).
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EXAMPLE_PORTS, removeOnExit, runExample } from '../chat/process.js'
import { buildSsrExample } from './build.js'
import { startSsrServer } from './server.js'

await runExample({
  title: 'Reality SSR (React, Vite)',
  command: 'npm run example:ssr',
  defaultPort: EXAMPLE_PORTS.ssr,
  hint: 'The page arrives with its data; publish a headline in another tab and watch it change.',
  async start({ port, host }) {
    const buildDir = await mkdtemp(join(tmpdir(), 'reality-ssr-'))
    removeOnExit(buildDir)
    // The server reads the build when it starts: build first (a busy port is reported after the build).
    await buildSsrExample(buildDir)
    return startSsrServer({ port, host, buildDir })
  },
})
