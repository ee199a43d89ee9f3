/**
 * Builds the Solid chat with the shared Vite recipe, so `serve.ts` and the
 * build test share one build.
 */
import { fileURLToPath } from 'node:url'
import solid from 'vite-plugin-solid'
import { buildExample } from '../build-example.js'

/**
 * Writes the production build of this example into `outDir` (emptied first).
 * @example await buildSolidExample(await mkdtemp(join(tmpdir(), 'reality-solid-')))
 */
export async function buildSolidExample(outDir: string): Promise<void> {
  await buildExample({ root: fileURLToPath(new URL('.', import.meta.url)), plugins: [solid()], outDir })
}
