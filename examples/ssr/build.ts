/**
 * Builds the SSR example with Vite: the browser bundle (`<outDir>/client`,
 * from index.html) and the server render bundle
 * (`<outDir>/server/entry-server.js`, everything bundled in so it runs from
 * a temp folder with no node_modules beside it).
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { build } from 'vite'
import { realityAliases } from '../reality-aliases.js'

const root = fileURLToPath(new URL('.', import.meta.url))

/**
 * Writes both builds into `outDir`.
 *
 * @example
 * await buildSsrExample(await mkdtemp(join(tmpdir(), 'reality-ssr-')))
 */
export async function buildSsrExample(outDir: string): Promise<void> {
  // Production builds of React whatever the caller's NODE_ENV (test runners set "test").
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    const shared = { configFile: false as const, root, logLevel: 'warn' as const, plugins: [react()], resolve: { alias: realityAliases } }
    await build({ ...shared, build: { outDir: join(outDir, 'client'), emptyOutDir: true } })
    await build({
      ...shared,
      ssr: { noExternal: true },
      build: { ssr: join(root, 'entry-server.tsx'), outDir: join(outDir, 'server'), emptyOutDir: true, rollupOptions: { output: { entryFileNames: 'entry-server.js' } } },
    })
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = nodeEnv
  }
}
