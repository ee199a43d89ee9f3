/**
 * `npm run example:solid`: builds the Solid chat into a temp folder and
 * serves it with the chat demo server on http://127.0.0.1:$PORT (default 3000).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDemoServer } from '../chat/app.js'
import { buildSolidExample } from './build.js'

const rawPort = process.env.PORT?.trim() || '3000'
if (!/^\d+$/.test(rawPort) || Number(rawPort) > 65535) throw new RangeError(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(process.env.PORT)}.`)

const outDir = await mkdtemp(join(tmpdir(), 'reality-solid-'))
const removeBuild = () => rm(outDir, { recursive: true, force: true })
try {
  await buildSolidExample(outDir)
} catch (error) {
  await removeBuild()
  throw error
}
const demo = await startDemoServer({ port: Number(rawPort), staticDir: outDir })
console.log(`Reality chat (Solid): ${demo.url}\nOpen it in two tabs, post in one and watch it appear in the other. Ctrl+C stops.`)

const stop = () => {
  demo.close().then(removeBuild).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
