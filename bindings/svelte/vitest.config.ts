import { fileURLToPath } from 'node:url'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defaultClientConditions } from 'vite'
import { defineConfig } from 'vitest/config'
import { realityAliases } from '../../examples/reality-aliases.js'

// One project, two renderers: happy-dom tests run in Vite's `client`
// environment (components compiled for the DOM), `// @vitest-environment node`
// tests in its `ssr` environment (compiled for `svelte/server`). Vitest puts
// `node` among the client conditions, which would load Svelte's server build
// (`mount(...) is not available on the server`), so the client environment
// gets Vite's browser defaults back. Rooted at the repo so the Svelte
// example's build test runs in this project too.
export default defineConfig({
  plugins: [svelte({ configFile: false })],
  environments: { client: { resolve: { conditions: [...defaultClientConditions] } } },
  resolve: { alias: realityAliases },
  test: {
    name: 'svelte',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['bindings/svelte/**/*.test.ts', 'examples/svelte/**/*.test.ts'],
    environment: 'happy-dom',
    setupFiles: ['test/happy-dom-fetch-abort.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
