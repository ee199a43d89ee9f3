/**
 * `npm run example:micro-frontends`: builds the three frontends into a temp
 * folder and serves the host page on http://127.0.0.1:$PORT (default 3005).
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EXAMPLE_PORTS, removeOnExit, runExample } from '../chat/process.js'
import { FRONTENDS, buildMicroFrontends } from './build.js'
import { startMicroFrontendsServer } from './server.js'

await runExample({
  title: 'Reality micro-frontends (React, Vue, Svelte)',
  command: 'npm run example:micro-frontends',
  defaultPort: EXAMPLE_PORTS['micro-frontends'],
  hint: 'Write a key and watch every frontend that shows it; unmount one and the others stay live.',
  async start({ port, host }) {
    const appsDir = await mkdtemp(join(tmpdir(), 'reality-micro-frontends-'))
    removeOnExit(appsDir)
    const server = await startMicroFrontendsServer({ port, host, appsDir, frontends: FRONTENDS })
    try {
      await buildMicroFrontends(appsDir)
    } catch (error) {
      await server.close()
      throw error
    }
    return server
  },
})
