/**
 * Builds the Svelte chat with Vite's JS API (no config file), so `serve.ts`
 * and the build test share one recipe.
 */
import { fileURLToPath } from 'node:url'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { build } from 'vite'
import { realityAliases } from '../reality-aliases.js'

/**
 * Writes the production build of this example into `outDir` (emptied first).
 * @example await buildSvelteExample(await mkdtemp(join(tmpdir(), 'reality-svelte-')))
 */
export async function buildSvelteExample(outDir: string): Promise<void> {
  // Vite makes a production build only when NODE_ENV says so (or is unset);
  // test runners set it to "test", which would give a development build of
  // the framework. The example always ships its production build.
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await build({
      configFile: false,
      root: fileURLToPath(new URL('.', import.meta.url)),
      logLevel: 'warn',
      plugins: [svelte({ configFile: false })],
      resolve: { alias: realityAliases },
      build: { outDir, emptyOutDir: true },
    })
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = nodeEnv
  }
}
