/**
 * Puts a build of the current sources into a directory: a copy of the repo's
 * `dist/` when it is newer than every source (as right after `npm run build`
 * in `npm test`), else a fresh tsup build — so the pack test never packs a
 * stale build, and does not pay for a second full build in `npm test`.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
/** What the build reads: the entry folders and the configs. */
const sourceDirs = ['protocol', 'server', 'store', 'bindings', 'bridges', 'tabs', 'offline', 'devtools']
const sourceFiles = ['package.json', 'tsup.config.ts', 'tsconfig.json', 'scripts/esm-only-types.mjs']

/** Newest (`pick = Math.max`) or oldest mtime of the files under `dir`, tests and node_modules aside. */
function mtimeUnder(dir: string, pick: (a: number, b: number) => number, initial: number): number {
  let result = initial
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) result = mtimeUnder(path, pick, result)
    else if (!/\.test\.[cm]?[jt]sx?$/.test(entry.name)) result = pick(result, statSync(path).mtimeMs)
  }
  return result
}

/**
 * `true` when `<root>/dist` exists and every file in it is newer than every
 * source file (test files aside) of `root`.
 *
 * @example
 * if (!distIsFresh()) console.log('dist is stale: run npm run build')
 */
export function distIsFresh(root = repoRoot): boolean {
  const dist = join(root, 'dist')
  if (!existsSync(dist)) return false
  let newestSource = 0
  for (const dir of sourceDirs) if (existsSync(join(root, dir))) newestSource = mtimeUnder(join(root, dir), Math.max, newestSource)
  for (const file of sourceFiles) if (existsSync(join(root, file))) newestSource = Math.max(newestSource, statSync(join(root, file)).mtimeMs)
  return mtimeUnder(dist, Math.min, Infinity) >= newestSource
}

/**
 * Fills `outDir` with a build of the current sources; says which way.
 *
 * @example
 * const how = buildInto(join(stage, 'dist')) // 'copied' | 'built'
 */
export function buildInto(outDir: string): 'copied' | 'built' {
  if (distIsFresh()) {
    cpSync(join(repoRoot, 'dist'), outDir, { recursive: true })
    return 'copied'
  }
  // tsup reads tsup.config.ts from the repo; only the output dir differs from `npm run build`
  // (which runs the same two steps).
  execFileSync(join(repoRoot, 'node_modules/.bin/tsup'), ['--out-dir', outDir], { cwd: repoRoot, stdio: 'pipe' })
  execFileSync(process.execPath, [join(repoRoot, 'scripts/esm-only-types.mjs'), outDir], { cwd: repoRoot, stdio: 'pipe' })
  return 'built'
}
