/**
 * Bundles a runtime entry of `test/runtimes/fixture/` — and through it the
 * repo's `server/index.ts` — into one ESM file in a temp dir, so Bun, Deno
 * and workerd run plain JavaScript and never resolve TypeScript or packages.
 */
import { build } from 'esbuild'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const fixtureDir = fileURLToPath(new URL('../fixture/', import.meta.url))

/**
 * The fixture entries, by file name without extension.
 *
 * @example
 * const entry: FixtureEntry = 'deno-main'
 */
export type FixtureEntry = 'bun-main' | 'deno-main' | 'node-main' | 'worker-main' | 'miniflare-main'

/**
 * Bundles `fixture/<entry>.ts` to `<outDir>/<entry>.mjs` and returns its path.
 * `platform: 'neutral'` for the fetch runtimes (no Node built-in may sneak
 * in); `'node'` for the Node entries, which keep `node:` imports and
 * `miniflare` external.
 *
 * @example
 * const file = await bundleFixture('bun-main', tempDir, 'neutral')
 */
export async function bundleFixture(entry: FixtureEntry, outDir: string, platform: 'neutral' | 'node'): Promise<string> {
  const outfile = join(outDir, `${entry}.mjs`)
  await build({
    entryPoints: [join(fixtureDir, `${entry}.ts`)],
    outfile,
    bundle: true,
    format: 'esm',
    platform,
    target: 'es2022',
    // zod and friends publish `exports`; neutral has no default main fields.
    mainFields: ['module', 'main'],
    conditions: platform === 'neutral' ? ['worker', 'import', 'default'] : [],
    external: platform === 'node' ? ['miniflare'] : [],
    logLevel: 'silent',
    write: true,
  })
  return outfile
}
