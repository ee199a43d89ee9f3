/**
 * Builds the React chat with the shared Vite recipe, so `serve.ts` and the
 * build test share one build.
 */
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { buildExample } from '../build-example.js'

/**
 * Writes the production build of this example into `outDir` (emptied first).
 * @example await buildReactExample(await mkdtemp(join(tmpdir(), 'reality-react-')))
 */
export async function buildReactExample(outDir: string): Promise<void> {
  await buildExample({ root: fileURLToPath(new URL('.', import.meta.url)), plugins: [react()], outDir })
}
