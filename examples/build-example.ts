/**
 * The one Vite recipe every framework example builds with (JS API, no config
 * file), so each `build.ts` only names its root and its framework plugins.
 */
import { build, type PluginOption } from 'vite'
import { realityAliases } from './reality-aliases.js'

/** Where an example lives, which plugins compile it, and where its build goes. */
export interface ExampleBuild {
  /** The example's folder (holds index.html). */
  root: string
  /** The framework's Vite plugins. */
  plugins: PluginOption[]
  /** Output folder, emptied first. */
  outDir: string
}

/**
 * Writes the production build of an example into `outDir` (emptied first).
 *
 * @example
 * await buildExample({ root: fileURLToPath(new URL('.', import.meta.url)), plugins: [react()], outDir })
 */
export async function buildExample({ root, plugins, outDir }: ExampleBuild): Promise<void> {
  // Vite makes a production build only when NODE_ENV says so (or is unset);
  // test runners set it to "test", which would bundle the framework's
  // development build. The example always ships its production build.
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await build({
      configFile: false,
      root,
      logLevel: 'warn',
      plugins,
      resolve: { alias: realityAliases },
      build: { outDir, emptyOutDir: true },
    })
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = nodeEnv
  }
}
