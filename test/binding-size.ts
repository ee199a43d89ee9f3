/**
 * Test support for the bindings' size budgets: how many min+gz bytes a
 * binding adds to an app beyond the store it wraps. Not a test file itself
 * (the core project collects only `.test.ts` files under test/).
 */
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = new URL('..', import.meta.url).pathname

/** min+gz bytes of an ESM bundle of `source`, frameworks left out as the app brings them. */
async function gzippedSize(source: string): Promise<number> {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    external: ['react', 'react-dom', 'vue', 'svelte', 'solid-js', '@tanstack/query-core', 'swr'],
  })
  return gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length
}

/**
 * Bytes (min+gz) that `bindings/<binding>/index.ts` (or `bridges/<bridge>/index.ts`, `tabs/index.ts`, `offline/index.ts`) adds to a bundle of the
 * store alone; logs both sizes.
 *
 * @example
 * expect(await bytesAddedBeyondStore('react')).toBeLessThanOrEqual(1024)
 */
export async function bytesAddedBeyondStore(binding: 'react' | 'vue' | 'svelte' | 'solid' | 'tanstack' | 'swr' | 'tabs' | 'offline'): Promise<number> {
  const entry = binding === 'tabs' || binding === 'offline' ? binding : `${binding === 'tanstack' || binding === 'swr' ? 'bridges' : 'bindings'}/${binding}`
  const store = await gzippedSize(`export * from './store/index.ts'`)
  const withBinding = await gzippedSize(`export * from './store/index.ts'; export * from './${entry}/index.ts'`)
  console.log(`store ${store} B, store + reality/${binding} ${withBinding} B: +${withBinding - store} B`)
  return withBinding - store
}
