/**
 * The runtimes the same `reality/server` handler is proven in, each found in
 * the repo's own devDependencies (`bun`, `deno`, `miniflare`), never on PATH.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { arch } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FixtureEntry } from './bundle.js'
import type { RuntimeCommand } from './runtime-process.js'

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const requireFromRepo = createRequire(join(repoRoot, 'package.json'))

/**
 * A runtime ready to be started, or the reason it cannot be.
 *
 * @example
 * const runtime = runtimeSpecs[1]!.resolve()
 * if (!runtime.available) console.warn(runtime.reason)
 */
export type RuntimeAvailability =
  | { available: true; version: string; command(bundleDir: string, bundleFile: string): RuntimeCommand }
  | { available: false; reason: string }

/**
 * One runtime the test suite covers.
 *
 * @example
 * const deno = runtimeSpecs.find((spec) => spec.name === 'deno')
 */
export interface RuntimeSpec {
  name: 'node' | 'bun' | 'deno' | 'workerd'
  /** The fixture entry the runtime runs, bundled into the temp dir. */
  entry: FixtureEntry
  platform: 'neutral' | 'node'
  /** Extra bundles the entry needs next to it (the worker Miniflare loads). */
  alsoBundle?: { entry: FixtureEntry; platform: 'neutral' | 'node' }
  resolve(): RuntimeAvailability
}

/** Runs `binary --version`; returns its first line, or why it failed. */
function probeVersion(binary: string): { ok: true; version: string } | { ok: false; reason: string } {
  if (!existsSync(binary)) return { ok: false, reason: `${binary} does not exist` }
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 60_000 })
  if (result.error) return { ok: false, reason: `${binary} --version: ${result.error.message}` }
  if (result.status !== 0) return { ok: false, reason: `${binary} --version exited ${result.status}: ${result.stderr.trim()}` }
  return { ok: true, version: result.stdout.split('\n')[0]!.trim() }
}

/**
 * Bun's npm package ships a placeholder `bin/bun.exe` that its postinstall
 * replaces with the platform binary; with install scripts gated the binary
 * stays in `@oven/bun-<platform>`, so look there too.
 */
function findBun(): RuntimeAvailability {
  const cpu = arch() === 'arm64' ? 'aarch64' : 'x64'
  const candidates = [
    join(repoRoot, 'node_modules/.bin/bun'),
    join(repoRoot, `node_modules/@oven/bun-${process.platform}-${cpu}/bin/bun`),
    join(repoRoot, `node_modules/@oven/bun-${process.platform}-${cpu}-musl/bin/bun`),
  ]
  const reasons: string[] = []
  for (const binary of candidates) {
    const probe = probeVersion(binary)
    if (!probe.ok) {
      reasons.push(probe.reason)
      continue
    }
    return {
      available: true,
      version: `bun ${probe.version}`,
      // --no-install: never auto-install a missing import from the registry.
      command: (cwd, file) => ({ command: binary, args: ['run', '--no-install', file], cwd, env: { DO_NOT_TRACK: '1' } }),
    }
  }
  return { available: false, reason: reasons.join('; ') }
}

/**
 * `node_modules/.bin/deno` is the native binary once deno's postinstall ran,
 * else the `bin.cjs` Node shim. A shim would sit between us and the real
 * process (signals would not reach it), so resolve the binary the way the
 * shim does: `install_api.cjs` finds the `@deno/<platform>` package.
 */
function findDeno(): RuntimeAvailability {
  let binary = join(repoRoot, 'node_modules/.bin/deno')
  try {
    if (!existsSync(binary) || realpathSync(binary).endsWith('.cjs')) {
      binary = (requireFromRepo('deno/install_api.cjs') as { runInstall(): string }).runInstall()
    }
  } catch (error) {
    return { available: false, reason: `deno binary not found: ${(error as Error).message}` }
  }
  const probe = probeVersion(binary)
  if (!probe.ok) return { available: false, reason: probe.reason }
  return {
    available: true,
    version: probe.version,
    command: (cwd, file) => ({
      command: binary,
      // Only loopback, no remote or npm modules, no config lookup, no prompts: nothing may touch the network.
      args: ['run', '--allow-net=127.0.0.1', '--no-remote', '--no-npm', '--no-config', '--no-prompt', file],
      cwd,
      env: { DENO_DIR: join(cwd, '.deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    }),
  }
}

/** Miniflare (Node) drives workerd; both come from the repo's devDependencies. */
function findWorkerd(): RuntimeAvailability {
  let miniflarePath: string
  let workerd: { default: string; version: string }
  try {
    miniflarePath = requireFromRepo.resolve('miniflare')
    workerd = requireFromRepo('workerd') as { default: string; version: string }
  } catch (error) {
    return { available: false, reason: `miniflare/workerd not installed: ${(error as Error).message}` }
  }
  const probe = probeVersion(workerd.default)
  if (!probe.ok) return { available: false, reason: probe.reason }
  const miniflareVersion = (requireFromRepo('miniflare/package.json') as { version: string }).version
  return {
    available: true,
    version: `miniflare ${miniflareVersion}, ${probe.version}`,
    command: (cwd, file) => ({
      command: process.execPath,
      args: [file, miniflarePath, join(cwd, 'worker-main.mjs')],
      cwd,
    }),
  }
}

/**
 * Every runtime, in the order the tests run them.
 *
 * @example
 * for (const spec of runtimeSpecs) console.log(spec.name, spec.resolve())
 */
export const runtimeSpecs: readonly RuntimeSpec[] = [
  {
    name: 'node',
    entry: 'node-main',
    platform: 'node',
    resolve: () => ({
      available: true,
      version: `node ${process.version}`,
      command: (cwd, file) => ({ command: process.execPath, args: [file], cwd }),
    }),
  },
  { name: 'bun', entry: 'bun-main', platform: 'neutral', resolve: findBun },
  { name: 'deno', entry: 'deno-main', platform: 'neutral', resolve: findDeno },
  {
    name: 'workerd',
    entry: 'miniflare-main',
    platform: 'node',
    alsoBundle: { entry: 'worker-main', platform: 'neutral' },
    resolve: findWorkerd,
  },
]
