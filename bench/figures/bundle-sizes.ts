/**
 * Figure 7: bundle sizes, min+gz, dependencies included, frameworks excluded.
 * Every entry of the package and every peer library is measured the same way:
 * esbuild bundles `export * from '<entry>'` (the whole public surface, nothing
 * tree-shaken away), minified, ESM, then gzip level 9.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { emitResult, type Check, type FigureResult } from '../lib/figure.js'

const ROOT = resolve(import.meta.dirname, '../..')
/** Frameworks are the app's own: never counted. */
const FRAMEWORKS = ['react', 'react-dom', 'react/*', 'react-dom/*', 'vue', 'svelte', 'svelte/*', 'solid-js', 'solid-js/*']
const STORE_BUDGET = 7 * 1024
const BINDING_BUDGET = 1024

interface Entry {
  name: string
  /** Module to import: a repo file or a package name. */
  from: string
  platform: 'browser' | 'node'
  ours: boolean
}

const ENTRIES: Entry[] = [
  { name: 'reality', from: './store/index.ts', platform: 'browser', ours: true },
  { name: 'reality/react', from: './bindings/react/index.ts', platform: 'browser', ours: true },
  { name: 'reality/vue', from: './bindings/vue/index.ts', platform: 'browser', ours: true },
  { name: 'reality/svelte', from: './bindings/svelte/index.ts', platform: 'browser', ours: true },
  { name: 'reality/solid', from: './bindings/solid/index.ts', platform: 'browser', ours: true },
  { name: 'reality/ssr', from: './ssr/index.ts', platform: 'browser', ours: true },
  { name: 'reality/protocol', from: './protocol/index.ts', platform: 'browser', ours: true },
  { name: 'reality/server', from: './server/index.ts', platform: 'node', ours: true },
  { name: '@tanstack/query-core', from: '@tanstack/query-core', platform: 'browser', ours: false },
  { name: 'swr', from: 'swr', platform: 'browser', ours: false },
  { name: '@nanostores/query', from: '@nanostores/query', platform: 'browser', ours: false },
]

/**
 * Bundles and gzips one entry; sizes in bytes.
 *
 * @example
 * await measure({ name: 'swr', from: 'swr', platform: 'browser', ours: false }) // { min: 10480, gz: 4410 }
 */
export async function measure(entry: Entry): Promise<{ min: number; gz: number }> {
  const result = await build({
    stdin: { contents: `export * from ${JSON.stringify(entry.from)}`, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: entry.platform,
    target: 'es2022',
    write: false,
    external: entry.platform === 'node' ? [...FRAMEWORKS, 'node:*'] : FRAMEWORKS,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  })
  const code = result.outputFiles[0]!.contents
  return { min: code.byteLength, gz: gzipSync(code, { level: 9 }).byteLength }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`

async function main() {
  const sizes = new Map<string, { min: number; gz: number }>()
  const missing: string[] = []
  for (const entry of ENTRIES) {
    if (entry.ours && !existsSync(resolve(ROOT, entry.from))) {
      missing.push(entry.name)
      continue
    }
    try {
      sizes.set(entry.name, await measure(entry))
    } catch (error) {
      // A half-written entry must not hide the others' sizes.
      missing.push(`${entry.name} (${(error as Error).message.split('\n')[1]?.trim() ?? 'build failed'})`)
    }
  }
  const store = sizes.get('reality')
  const queryCore = sizes.get('@tanstack/query-core')!
  const rows = ENTRIES.filter((e) => sizes.has(e.name)).map((e) => {
    const s = sizes.get(e.name)!
    const beyondStore = store && e.name.startsWith('reality/') && e.platform === 'browser' && e.name !== 'reality/protocol' ? kb(s.gz - store.gz) : ''
    return [e.name, kb(s.min), kb(s.gz), beyondStore, `${(s.gz / queryCore.gz).toFixed(2)}×`]
  })
  const checks: Check[] = []
  if (store) {
    checks.push({
      label: 'reality min+gz / 7 KB budget (issues 8 and 9; 6 KB in issue 3)',
      ratio: store.gz / STORE_BUDGET,
      target: '≤ 1×',
      pass: store.gz <= STORE_BUDGET,
      why: `The whole public surface of \`reality\` (store with its own reactive cell, scheduler, transports, managers, mutations, registry, errors; SSR, inspection and signals-core signals live in reality/ssr, reality/devtools and reality/signals) measures ${kb(store.gz)} min+gz here.`,
    })
    checks.push({ label: 'reality min+gz / @tanstack/query-core min+gz', ratio: store.gz / queryCore.gz, target: '≤ 1×', pass: store.gz <= queryCore.gz })
    for (const name of ['reality/react', 'reality/vue', 'reality/svelte', 'reality/solid']) {
      const s = sizes.get(name)
      if (!s) continue
      const extra = s.gz - store.gz
      checks.push({ label: `${name} beyond the store / 1 KB budget (issue 4)`, ratio: extra / BINDING_BUDGET, target: '≤ 1×', pass: extra <= BINDING_BUDGET })
    }
  }
  const result: FigureResult = {
    id: 7,
    title: 'Bundle sizes (min+gz)',
    columns: ['Entry', 'Minified', 'Min+gz', 'Beyond `reality`', 'vs @tanstack/query-core'],
    rows,
    checks,
    notes: [
      'Each entry is bundled by esbuild as `export * from <entry>` (whole public surface), minified, ESM, then gzip level 9; dependencies included (@preact/signals-core for `reality`, zod for `reality/server` and `reality/protocol`, use-sync-external-store for swr, nanostores for @nanostores/query); react, react-dom, vue, svelte and solid-js excluded.',
      '`reality/server` is bundled for Node (node:* builtins excluded); it runs on servers, its size is informational.',
      'An app that imports only some names gets less after tree-shaking; size-limit in `npm test` enforces the budgets on the built `dist/` files.',
      ...(missing.length ? [`Not measured (entry missing or not buildable in this checkout): ${missing.join('; ')}.`] : []),
    ],
    charts: [{
      file: 'bundle-sizes.svg',
      title: 'Client bundle size, min+gz (smaller is better)',
      unit: 'KB',
      // Client entries only: server-side sizes (zod included) would dwarf the scale.
      bars: ENTRIES.filter((e) => e.platform === 'browser' && e.name !== 'reality/protocol' && sizes.has(e.name)).map((e) => ({
        group: e.ours ? 'reality entries' : 'peers',
        series: e.name,
        value: sizes.get(e.name)!.gz / 1024,
      })),
    }],
  }
  emitResult(result)
}

await main()
