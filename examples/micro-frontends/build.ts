/**
 * Builds the three frontends, each on its own, as a self-contained script
 * (IIFE: one file, no imports, so it runs from a classic, `defer` or module
 * `<script>` tag alike) holding its framework and its own copy of the
 * library:
 *
 * - React and Vue bundle this repository's sources (`store/`, `bindings/`).
 * - Svelte bundles the library as it was at commit {@link PINNED_COMMIT}
 *   (round 1): its sources are extracted with `git archive` into a temp
 *   folder at build time and the `reality` imports of that frontend point
 *   there. That is what an app pinned to an older release ships; the page
 *   still has one store, because every copy finds it under the same
 *   `Symbol.for` brand (ARCHITECTURE.md C5).
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'
import { compile } from 'svelte/compiler'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/**
 * The commit whose library the Svelte frontend bundles (round 1).
 *
 * @example
 * git archive 46e2ee3 store protocol bindings/svelte
 */
export const PINNED_COMMIT = '46e2ee3'

/** The three frontends in the order the host page loads them. */
export const FRONTENDS = ['react', 'vue', 'svelte'] as const

/**
 * Writes `apps/<name>.js` for each frontend into `outDir`.
 *
 * @example
 * await buildMicroFrontends(await mkdtemp(join(tmpdir(), 'reality-micro-frontends-')))
 */
export async function buildMicroFrontends(outDir: string): Promise<void> {
  const pinned = await extractPinnedLibrary()
  try {
    const current = libraryAliases(repoRoot)
    await Promise.all([
      bundle(here('./apps/react/main.tsx'), join(outDir, 'apps/react.js'), current),
      bundle(here('./apps/vue/main.ts'), join(outDir, 'apps/vue.js'), current),
      bundle(here('./apps/svelte/main.ts'), join(outDir, 'apps/svelte.js'), libraryAliases(pinned), `reality from commit ${PINNED_COMMIT} (round 1)`),
    ])
  } finally {
    await rm(pinned, { recursive: true, force: true })
  }
}

/** `git archive` of the pinned commit's library sources into a temp folder. */
async function extractPinnedLibrary(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `reality-${PINNED_COMMIT}-`))
  try {
    const archive = execFileSync('git', ['archive', '--format=tar', PINNED_COMMIT, 'store', 'protocol', 'bindings/svelte'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 })
    await writeFile(join(dir, 'library.tar'), archive)
    execFileSync('tar', ['-xf', 'library.tar'], { cwd: dir })
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new Error(`The Svelte frontend bundles the library of commit ${PINNED_COMMIT}, which this checkout cannot read (${reason}). Run it from a git clone with that history (git fetch --unshallow).`)
  }
  return dir
}

/** Where `reality` and `reality/<binding>` point for a bundle: a source tree's store and bindings. */
function libraryAliases(root: string): Record<string, string> {
  return {
    reality: join(root, 'store/index.ts'),
    'reality/react': join(root, 'bindings/react/index.ts'),
    'reality/vue': join(root, 'bindings/vue/index.ts'),
    'reality/svelte': join(root, 'bindings/svelte/index.ts'),
  }
}

/** Compiles `.svelte` files for the browser (Svelte 5; TypeScript in `<script lang="ts">` is stripped by Svelte itself). */
const sveltePlugin: Plugin = {
  name: 'svelte',
  setup(builder) {
    builder.onLoad({ filter: /\.svelte$/ }, async ({ path }) => {
      const { readFile } = await import('node:fs/promises')
      const source = await readFile(path, 'utf8')
      const { js } = compile(source, { filename: path, generate: 'client', css: 'injected' })
      return { contents: js.code, loader: 'js' }
    })
  },
}

async function bundle(entry: string, outfile: string, alias: Record<string, string>, libraryLabel = 'reality from this repository'): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    alias,
    // The pinned sources live outside the repo: their imports of
    // @preact/signals-core and svelte resolve from the repo's node_modules.
    nodePaths: [join(repoRoot, 'node_modules')],
    plugins: [sveltePlugin],
    define: {
      'process.env.NODE_ENV': '"production"',
      __VUE_OPTIONS_API__: 'false',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
      LIBRARY_LABEL: JSON.stringify(libraryLabel),
    },
    logLevel: 'silent',
  })
}
