import { defineConfig } from 'vitest/config'
import { realityAliases } from './examples/reality-aliases.js'

// One project for everything framework-free; each binding brings its own
// config (its own JSX/compiler plugin) under bindings/<framework>/.
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: realityAliases },
        test: {
          name: 'core',
          include: ['protocol/**/*.test.ts', 'server/**/*.test.ts', 'store/**/*.test.ts', 'tabs/**/*.test.ts', 'stream/**/*.test.ts', 'offline/**/*.test.ts', 'devtools/**/*.test.ts', 'signals/**/*.test.ts', 'examples/chat/**/*.test.ts', 'examples/postgres-chat/**/*.test.ts', 'examples/micro-frontends/**/*.test.ts', 'examples/ssr/**/*.test.ts', 'test/**/*.test.ts', 'bench/lib/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      'bindings/*/vitest.config.ts',
      'bridges/vitest.config.ts',
    ],
  },
})
