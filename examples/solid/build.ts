/**
 * Builds the Solid chat with Vite's JS API (no config file), so `serve.ts`
 * and the build test share one recipe.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import solid from 'vite-plugin-solid'

/**
 * Writes the production build of this example into `outDir` (emptied first).
 * @example await buildSolidExample(await mkdtemp(join(tmpdir(), 'reality-solid-')))
 */
export async function buildSolidExample(outDir: string): Promise<void> {
  await build({
    configFile: false,
    root: fileURLToPath(new URL('.', import.meta.url)),
    logLevel: 'warn',
    plugins: [solid()],
    build: { outDir, emptyOutDir: true },
  })
}
