/**
 * Builds the React chat with Vite's JS API (no config file), so `serve.ts`
 * and the build test share one recipe.
 */
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { build } from 'vite'
import { realityAliases } from '../reality-aliases.js'

/**
 * Writes the production build of this example into `outDir` (emptied first).
 * @example await buildReactExample(await mkdtemp(join(tmpdir(), 'reality-react-')))
 */
export async function buildReactExample(outDir: string): Promise<void> {
  // Vite makes a production build only when NODE_ENV says so (or is unset);
  // test runners set it to "test", which would bundle the framework's
  // development build. The example always ships its production build.
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await build({
      configFile: false,
      root: fileURLToPath(new URL('.', import.meta.url)),
      logLevel: 'warn',
      plugins: [react()],
      resolve: { alias: realityAliases },
      build: { outDir, emptyOutDir: true },
    })
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = nodeEnv
  }
}
