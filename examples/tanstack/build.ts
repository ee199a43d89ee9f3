/**
 * Builds the TanStack Query chat with the shared Vite recipe, so `serve.ts`
 * and the tests share one build.
 */
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { buildExample } from '../build-example.js'

/**
 * Writes the production build of this example into `outDir` (emptied first).
 * @example await buildTanstackExample(await mkdtemp(join(tmpdir(), 'reality-tanstack-')))
 */
export async function buildTanstackExample(outDir: string): Promise<void> {
  await buildExample({ root: fileURLToPath(new URL('.', import.meta.url)), plugins: [react()], outDir })
}
