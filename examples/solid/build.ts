/**
 * Builds the Solid chat with Vite's JS API (no config file), so `serve.ts`
 * and the build test share one recipe.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import solid from 'vite-plugin-solid'
import { realityAliases } from '../reality-aliases.js'

/**
 * Writes the production build of this example into `outDir` (emptied first).
 * @example await buildSolidExample(await mkdtemp(join(tmpdir(), 'reality-solid-')))
 */
export async function buildSolidExample(outDir: string): Promise<void> {
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
      plugins: [solid()],
      resolve: { alias: realityAliases },
      build: { outDir, emptyOutDir: true },
    })
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = nodeEnv
  }
}
