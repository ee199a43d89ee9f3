import { defineConfig } from 'vitest/config'

// The bench's pure helpers (percentiles, SVG writer). Not part of `npm test`
// unless the root config lists this file among its projects. Run from the
// repo root: npx vitest run --config bench/vitest.config.ts
export default defineConfig({
  test: {
    name: 'bench',
    include: ['bench/lib/**/*.test.ts'],
    environment: 'node',
  },
})
