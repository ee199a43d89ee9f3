import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'
import { realityAliases } from '../../examples/reality-aliases.js'

// Rooted at the repo so the Vue example's build test runs in this project too.
// happy-dom by default; SSR tests say `// @vitest-environment node` (the Vue
// plugin then compiles components for the server renderer).
export default defineConfig({
  plugins: [vue()],
  resolve: { alias: realityAliases },
  test: {
    name: 'vue',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['bindings/vue/**/*.test.ts', 'examples/vue/**/*.test.ts'],
    environment: 'happy-dom',
    setupFiles: ['test/happy-dom-fetch-abort.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
