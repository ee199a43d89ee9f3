// @vitest-environment node
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { expect, it } from 'vitest'

const root = new URL('../..', import.meta.url).pathname

/** min+gz bytes of an ESM bundle of `source`, the framework left out as the app brings it. */
async function gzippedSize(source: string): Promise<number> {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    external: ['svelte', 'solid-js'],
  })
  return gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length
}

it('reality/solid adds at most 1 KB min+gz beyond the store', async () => {
  const store = await gzippedSize(`export * from './store/index.ts'`)
  const withBinding = await gzippedSize(`export * from './store/index.ts'; export * from './bindings/solid/index.ts'`)
  console.log(`store ${store} B, store + reality/solid ${withBinding} B: +${withBinding - store} B`)
  expect(withBinding - store).toBeLessThanOrEqual(1024)
})
