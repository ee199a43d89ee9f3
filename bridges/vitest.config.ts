import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'
import { realityAliases } from '../examples/reality-aliases.js'

// The TanStack Query and SWR bridges, tested with the real libraries and
// React (happy-dom), plus the TanStack example's tests. Rooted at the repo.
export default defineConfig({
  plugins: [react()],
  resolve: { alias: realityAliases },
  test: {
    name: 'bridges',
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['bridges/**/*.test.{ts,tsx}', 'examples/tanstack/**/*.test.ts'],
    environment: 'happy-dom',
    setupFiles: ['test/happy-dom-fetch-abort.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
