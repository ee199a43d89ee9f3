/**
 * Builds the Vue chat with Vite's JS API (no config file), so `serve.ts`
 * and the build test share one recipe.
 */
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { build } from 'vite'

/**
 * Writes the production build of this example into `outDir` (emptied first).
 * @example await buildVueExample(await mkdtemp(join(tmpdir(), 'reality-vue-')))
 */
export async function buildVueExample(outDir: string): Promise<void> {
  await build({
    configFile: false,
    root: fileURLToPath(new URL('.', import.meta.url)),
    logLevel: 'warn',
    plugins: [vue()],
    build: { outDir, emptyOutDir: true },
  })
}
