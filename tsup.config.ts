import { existsSync } from 'node:fs'
import { defineConfig } from 'tsup'

// Every public entry: folder → subpath export (see package.json "exports").
const entries: Record<string, string> = {
  'store/index': 'store/index.ts',
  'protocol/index': 'protocol/index.ts',
  'server/index': 'server/index.ts',
  'server/node/index': 'server/node.ts',
  'server/redis/index': 'server/versions/redis.ts',
  'server/postgres/index': 'server/versions/postgres.ts',
  'server/drizzle/index': 'server/drizzle/index.ts',
  'bin/reality-pg-trigger': 'server/versions/postgres-trigger-cli.ts',
  'react/index': 'bindings/react/index.ts',
  'vue/index': 'bindings/vue/index.ts',
  'svelte/index': 'bindings/svelte/index.ts',
  'solid/index': 'bindings/solid/index.ts',
  'tanstack/index': 'bridges/tanstack/index.ts',
  'swr/index': 'bridges/swr/index.ts',
  'tabs/index': 'tabs/index.ts',
  'stream/index': 'stream/index.ts',
  'ssr/index': 'ssr/index.ts',
  'signals/index': 'signals/index.ts',
  'offline/index': 'offline/index.ts',
  'devtools/index': 'devtools/index.ts',
}

export default defineConfig({
  entry: Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file))),
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  splitting: true,
  treeshake: true,
  target: 'es2022',
  sourcemap: false,
  external: ['react', 'vue', 'svelte', 'solid-js', '@tanstack/query-core', 'swr', '@preact/signals-core', 'zod', 'ioredis', 'pg', 'drizzle-orm'],
})
