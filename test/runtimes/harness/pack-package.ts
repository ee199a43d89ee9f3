/**
 * The package as a user gets it: `npm pack` of a build, unpacked into a
 * consumer's node_modules — offline: the tarball is extracted into
 * `node_modules/reality` and its runtime dependencies are linked from the
 * repo's own `node_modules`.
 *
 * Two ways in: {@link packAndInstall} packs a build of the working tree
 * (quick: it reuses a fresh `dist/`), {@link packCleanClone} packs a fresh
 * `git clone` of the committed HEAD the way a user's `npm pack` or a git
 * install would, so the package's own `prepare` script must build `dist/`.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildInto } from './fresh-dist.js'

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const npmCli = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/**
 * The result of {@link packAndInstall} and {@link packCleanClone}.
 *
 * @example
 * const { consumerDir, files } = packAndInstall(workDir)
 */
export interface PackedInstall {
  /** The tarball `npm pack` wrote. */
  tarball: string
  /** Paths inside the tarball, without the `package/` prefix. */
  files: string[]
  /** A dir whose `node_modules/reality` is the unpacked tarball. */
  consumerDir: string
  /** Whether the repo's fresh `dist/` was reused, the sources were built, or `npm pack` built them (prepare). */
  build: 'copied' | 'built' | 'prepare'
}

/**
 * Builds into `<workDir>/stage/dist` (see {@link buildInto}), copies `package.json` (and README /
 * LICENSE when present) beside it, `npm pack`s the stage and unpacks the
 * tarball into `<workDir>/consumer/node_modules/reality`, next to links to
 * its dependencies and installed peers.
 *
 * Why not `npm install <tgz>`: it would resolve `zod` and
 * `@preact/signals-core` from the registry (or a warm cache), which an
 * offline CI box may not have. Linking the repo's installed copies gives the
 * same layout Node resolves from, with no network.
 *
 * @example
 * const { consumerDir } = packAndInstall(mkdtempSync(join(tmpdir(), 'pack-')))
 */
export function packAndInstall(workDir: string): PackedInstall {
  const stage = join(workDir, 'stage')
  mkdirSync(stage, { recursive: true })
  const build = buildInto(join(stage, 'dist'))
  for (const file of ['package.json', 'README.md', 'LICENSE']) {
    if (existsSync(join(repoRoot, file))) copyFileSync(join(repoRoot, file), join(stage, file))
  }
  // The stage holds a build already: the prepare script (a second build) is skipped.
  const tarball = pack(stage, workDir, { runScripts: false })
  return { tarball, files: tarballFiles(tarball), consumerDir: install(tarball, join(workDir, 'consumer')), build }
}

/**
 * `git clone`s the repo's committed HEAD into `<workDir>/clone` (no `dist/`,
 * as on a user's machine or in CI), links the repo's `node_modules` into it
 * (the clone's `npm ci`, without the network), runs a plain `npm pack` there
 * — which must build through the package's `prepare` script — and installs
 * the tarball into `<workDir>/consumer`. Uncommitted changes are not in the
 * clone: this checks what a user would get from the commit.
 *
 * @example
 * const { files } = packCleanClone(mkdtempSync(join(tmpdir(), 'clone-')))
 * files.includes('dist/store/index.js') // true
 */
export function packCleanClone(workDir: string): PackedInstall & { commit: string } {
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim()
  const clone = join(workDir, 'clone')
  // --no-checkout + checkout of the commit: works from a worktree, a branch or CI's detached HEAD alike.
  execFileSync('git', ['clone', '--quiet', '--no-checkout', repoRoot, clone], { stdio: 'pipe' })
  execFileSync('git', ['checkout', '--quiet', commit], { cwd: clone, stdio: 'pipe' })
  if (existsSync(join(clone, 'dist'))) throw new Error('The clone already has dist/: it must not be committed.')
  symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules'), 'dir')
  const tarball = pack(clone, workDir, { runScripts: true })
  return { tarball, files: tarballFiles(tarball), consumerDir: install(tarball, join(workDir, 'consumer')), build: 'prepare', commit }
}

/** `npm pack` of `dir` into `destination`; returns the tarball's path. */
function pack(dir: string, destination: string, { runScripts }: { runScripts: boolean }): string {
  const args = ['pack', '--pack-destination', destination, ...(runScripts ? [] : ['--ignore-scripts'])]
  // The prepare script's output shares stdout with npm's: name the tarball from the manifest instead of parsing it.
  execFileSync(npmCli, args, { cwd: dir, stdio: 'pipe', env: { ...process.env, npm_config_update_notifier: 'false' } })
  const { name, version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string }
  const tarball = join(destination, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`)
  if (!existsSync(tarball)) throw new Error(`npm pack in ${dir} wrote no ${tarball}.`)
  return tarball
}

/** Paths inside a tarball, without the `package/` prefix. */
function tarballFiles(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''))
}

/** Unpacks `tarball` into `<consumerDir>/node_modules/reality` and links its dependencies and peers. */
function install(tarball: string, consumerDir: string): string {
  const installed = join(consumerDir, 'node_modules/reality')
  mkdirSync(installed, { recursive: true })
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'])

  // Dependencies, plus the optional peers an app installs itself (ioredis, pg, the frameworks).
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>
    peerDependencies?: Record<string, string>
  }
  const linked = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]
  for (const dependency of linked.filter((name) => existsSync(join(repoRoot, 'node_modules', name)))) {
    const link = join(consumerDir, 'node_modules', dependency)
    mkdirSync(dirname(link), { recursive: true })
    symlinkSync(join(repoRoot, 'node_modules', dependency), link, 'dir')
  }
  return consumerDir
}
