/**
 * Puts a build of the package into a staging dir, packs it with `npm pack` exactly as
 * it would be published, and installs the tarball into a consumer dir —
 * offline: the tarball is extracted into `node_modules/reality` and its
 * runtime dependencies are linked from the repo's own `node_modules`.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildInto } from './fresh-dist.js'

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const npmCli = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/**
 * The result of {@link packAndInstall}.
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
  /** Whether the repo's fresh `dist/` was reused or the sources were built. */
  build: 'copied' | 'built'
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
  const packed = JSON.parse(
    execFileSync(npmCli, ['pack', '--json', '--ignore-scripts', '--pack-destination', workDir], { cwd: stage, encoding: 'utf8' }),
  ) as Array<{ filename: string; files: Array<{ path: string }> }>
  const tarball = join(workDir, packed[0]!.filename)

  const consumerDir = join(workDir, 'consumer')
  const installed = join(consumerDir, 'node_modules/reality')
  mkdirSync(installed, { recursive: true })
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'])

  // Dependencies, plus the optional peers a server app installs itself (ioredis, pg).
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
  return { tarball, files: packed[0]!.files.map((file) => file.path), consumerDir, build }
}
