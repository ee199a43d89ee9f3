import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

// Rooted at the repo so the Vue example's build test runs in this project too.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  plugins: [vue()],
  test: {
    name: 'vue',
    include: ['bindings/vue/**/*.test.ts', 'examples/vue/**/*.test.ts'],
    environment: 'happy-dom',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
