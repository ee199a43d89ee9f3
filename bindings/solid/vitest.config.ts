import { fileURLToPath } from 'node:url'
import { defaultClientConditions } from 'vite'
import solid from 'vite-plugin-solid'
import { defineConfig } from 'vitest/config'
import { realityAliases } from '../../examples/reality-aliases.js'

// One project, two renderers: happy-dom tests run in Vite's `client`
// environment (JSX compiled for the DOM), `// @vitest-environment node` tests
// in its `ssr` environment (JSX compiled for `renderToString`; `ssr: true`
// makes both hydratable). solid-js is inlined so that Vite resolves it per
// environment: left to Node, it would load the server build (no reactivity)
// in the client tests too. Rooted at the repo so the Solid example's build
// test runs in this project too.
export default defineConfig({
  plugins: [solid({ ssr: true })],
  environments: { client: { resolve: { conditions: [...defaultClientConditions] } } },
  resolve: { alias: realityAliases },
  test: {
    name: 'solid',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['bindings/solid/**/*.test.{ts,tsx}', 'examples/solid/**/*.test.ts'],
    environment: 'happy-dom',
    setupFiles: ['test/happy-dom-fetch-abort.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    server: { deps: { inline: [/solid-js/] } },
  },
})
