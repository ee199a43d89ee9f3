import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'
import { realityAliases } from '../../examples/reality-aliases.js'

// Rooted at the repo so the React example's build test runs in this project too.
// happy-dom by default; SSR tests say `// @vitest-environment node`.
export default defineConfig({
  plugins: [react()],
  resolve: { alias: realityAliases },
  test: {
    name: 'react',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['bindings/react/**/*.test.{ts,tsx}', 'examples/react/**/*.test.ts'],
    environment: 'happy-dom',
    setupFiles: ['test/happy-dom-fetch-abort.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
