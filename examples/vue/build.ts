/**
 * Builds the Vue chat with the shared Vite recipe, so `serve.ts` and the
 * build test share one build.
 */
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { buildExample } from '../build-example.js'

/**
 * Writes the production build of this example into `outDir` (emptied first).
 * @example await buildVueExample(await mkdtemp(join(tmpdir(), 'reality-vue-')))
 */
export async function buildVueExample(outDir: string): Promise<void> {
  await buildExample({ root: fileURLToPath(new URL('.', import.meta.url)), plugins: [vue()], outDir })
}
