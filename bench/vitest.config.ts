import { defineConfig } from 'vitest/config'

// The bench's pure helpers (percentiles, SVG writer). Not part of `npm test`
// unless the root config lists this file among its projects.
export default defineConfig({
  test: {
    name: 'bench',
    root: import.meta.dirname,
    include: ['lib/**/*.test.ts'],
    environment: 'node',
  },
})
