/**
 * Inside this repository, the examples import the package by its public
 * names (`reality`, `reality/react`, `reality/server`…) exactly as an app
 * would, and these aliases point those names at the sources, so the examples
 * run without a build. tsconfig.json's `paths` says the same to tsc, tsx and
 * esbuild; this list says it to Vite and Vitest.
 */
import { fileURLToPath } from 'node:url'

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url))

/**
 * Vite `resolve.alias` entries for every public entry of the package.
 *
 * @example
 * build({ resolve: { alias: realityAliases }, … })
 */
export const realityAliases = [
  { find: /^reality$/, replacement: root('store/index.ts') },
  { find: /^reality\/(react|vue|svelte|solid)$/, replacement: root('bindings/$1/index.ts') },
  { find: /^reality\/(tanstack|swr)$/, replacement: root('bridges/$1/index.ts') },
  { find: /^reality\/server\/drizzle$/, replacement: root('server/drizzle/index.ts') },
  { find: /^reality\/server\/(redis|postgres)$/, replacement: root('server/versions/$1.ts') },
  { find: /^reality\/server\/node$/, replacement: root('server/node.ts') },
  { find: /^reality\/(server|protocol|tabs|offline|devtools|stream|ssr)$/, replacement: root('$1/index.ts') },
]
