/**
 * Builds the Svelte chat with the shared Vite recipe, so `serve.ts` and the
 * build test share one build.
 */
import { fileURLToPath } from 'node:url'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { buildExample } from '../build-example.js'

/**
 * Writes the production build of this example into `outDir` (emptied first).
 * @example await buildSvelteExample(await mkdtemp(join(tmpdir(), 'reality-svelte-')))
 */
export async function buildSvelteExample(outDir: string): Promise<void> {
  await buildExample({ root: fileURLToPath(new URL('.', import.meta.url)), plugins: [svelte({ configFile: false })], outDir })
}
