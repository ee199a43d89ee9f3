/**
 * Builds the Svelte chat with Vite's JS API (no config file), so `serve.ts`
 * and the build test share one recipe.
 */
import { fileURLToPath } from 'node:url'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { build } from 'vite'

/**
 * Writes the production build of this example into `outDir` (emptied first).
 * @example await buildSvelteExample(await mkdtemp(join(tmpdir(), 'reality-svelte-')))
 */
export async function buildSvelteExample(outDir: string): Promise<void> {
  await build({
    configFile: false,
    root: fileURLToPath(new URL('.', import.meta.url)),
    logLevel: 'warn',
    plugins: [svelte({ configFile: false })],
    build: { outDir, emptyOutDir: true },
  })
}
