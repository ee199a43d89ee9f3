/**
 * The package as published, packed two ways and unpacked into a consumer's
 * node_modules: a build of the working tree (quick), and a plain `npm pack`
 * of a fresh `git clone` — where nothing is built until the package's
 * `prepare` script runs, as on a user's machine, in a git install or in CI.
 * From each, every entry of package.json `exports` is imported from plain
 * Node — once as ESM, once as CJS — the main names are there, and the server
 * answers a real sync request through the package.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packAndInstall, packCleanClone, type PackedInstall } from './harness/pack-package.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const inCI = process.env.CI === 'true'

/** Each public entry, the source that builds it, and names a user imports from it. */
const entries = [
  { specifier: 'reality/protocol', source: 'protocol/index.ts', names: ['parseSyncRequest', 'syncRequestSchema', 'PROTOCOL_VERSION'] },
  { specifier: 'reality/server', source: 'server/index.ts', names: ['createRealityServer', 'memoryVersions', 'idempotentWrites', 'memoryIdempotency'] },
  { specifier: 'reality/server/node', source: 'server/node.ts', names: ['toNodeHandler'] },
  { specifier: 'reality', source: 'store/index.ts', names: ['createStore', 'getSharedStore', 'embeddedTransport'] },
  { specifier: 'reality/server/redis', source: 'server/versions/redis.ts', names: ['redisVersions', 'redisIdempotency'] },
  { specifier: 'reality/server/postgres', source: 'server/versions/postgres.ts', names: ['postgresVersions', 'pgTriggerSql', 'installPgTrigger', 'uninstallPgTrigger', 'postgresOutbox', 'postgresIdempotency'] },
  { specifier: 'reality/server/drizzle', source: 'server/drizzle/index.ts', names: ['withInvalidation'] },
]
// Outside CI an entry whose source is not written yet is left out, visibly; under CI every entry must be there.
const checked = entries.filter((entry) => inCI || existsSync(join(repoRoot, entry.source)))
for (const entry of entries) {
  if (!checked.includes(entry)) console.warn(`[pack] not checking ${entry.specifier}: ${entry.source} does not exist yet`)
}

/** Every subpath of package.json `exports` (`.` as `reality`), package.json itself aside. */
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }
const exported = Object.keys(manifest.exports)
  .filter((subpath) => subpath !== './package.json')
  .map((subpath) => (subpath === '.' ? 'reality' : `reality/${subpath.slice(2)}`))

/** Imports every exported entry, lists its export names, and runs one sync through the packed server. */
function consumerScript(format: 'esm' | 'cjs'): string {
  const load = format === 'esm' ? '(specifier) => import(specifier)' : '(specifier) => Promise.resolve(require(specifier))'
  return `
const load = ${load};
(async () => {
  const result = { exports: {} };
  for (const specifier of ${JSON.stringify(exported)}) {
    result.exports[specifier] = Object.keys(await load(specifier)).sort();
  }
  if (result.exports['reality/server']) {
    const { createRealityServer } = await load('reality/server');
    const server = createRealityServer();
    // 'room:1' was never written: it reads as this server's floor version.
    result.floor = (await server.getVersions(['room:1']))['room:1'];
    const response = await server.handler(new Request('http://127.0.0.1/reality/sync', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ v: 1, known: { 'room:1': null } }),
    }));
    result.sync = { status: response.status, body: await response.json() };
  }
  process.stdout.write(JSON.stringify(result));
})().catch((error) => { console.error(error); process.exit(1) });
`
}

function runConsumer(consumerDir: string, format: 'esm' | 'cjs'): { exports: Record<string, string[]>; floor?: number; sync?: { status: number; body: any } } {
  const args = format === 'esm' ? ['--input-type=module', '-e', consumerScript('esm')] : ['--input-type=commonjs', '-e', consumerScript('cjs')]
  return JSON.parse(execFileSync(process.execPath, args, { cwd: consumerDir, encoding: 'utf8' }))
}

/** The folder an entry builds into: reality → dist/store, reality/x/y → dist/x/y (see tsup.config.ts). */
const distFolder = (specifier: string) => (specifier === 'reality' ? 'store' : specifier.slice('reality/'.length))

/** The checks every packed tarball passes, however it was packed. */
/** `typecheckFixtures`: also typecheck consumer projects against its typings (once is enough: same dist). */
function describePacked(title: string, packInto: (workDir: string) => PackedInstall, timeout: number, typecheckFixtures = false): void {
  describe(title, () => {
    let workDir: string
    let packed: PackedInstall

    beforeAll(() => {
      workDir = mkdtempSync(join(tmpdir(), 'reality-pack-'))
      const started = performance.now()
      packed = packInto(workDir)
      const how = { copied: 'copy fresh dist', built: 'build', prepare: 'git clone + npm pack (prepare builds dist/)' }[packed.build]
      console.log(`[pack] ${how}, unpacked: ${(performance.now() - started).toFixed(0)} ms`)
    }, timeout)
    afterAll(() => {
      rmSync(workDir, { recursive: true, force: true })
    })

    it('holds the built dist of every exported entry and the manifest, no sources or tests', () => {
      expect(packed.files).toContain('package.json')
      for (const specifier of exported) {
        const folder = distFolder(specifier)
        expect(packed.files).toEqual(
          expect.arrayContaining([`dist/${folder}/index.js`, `dist/${folder}/index.cjs`, `dist/${folder}/index.d.ts`, `dist/${folder}/index.d.cts`]),
        )
      }
      const unexpected = packed.files.filter((file) => !/^(package\.json|README\.md|LICENSE|dist\/.+\.(js|cjs|d\.ts|d\.cts))$/.test(file))
      expect(unexpected).toEqual([])
    })

    it('runs the reality-pg-trigger bin, as npm links it into node_modules/.bin', () => {
      const manifest = JSON.parse(readFileSync(join(packed.consumerDir, 'node_modules/reality/package.json'), 'utf8')) as { bin: Record<string, string> }
      const binLink = join(packed.consumerDir, 'node_modules/.bin/reality-pg-trigger')
      mkdirSync(dirname(binLink), { recursive: true })
      symlinkSync(join('..', 'reality', manifest.bin['reality-pg-trigger']!), binLink)
      const sql = execFileSync(binLink, ['--table', 'messages', '--key', "'chat:room:' || room_id"], { cwd: packed.consumerDir, encoding: 'utf8' })
      expect(sql).toContain('CREATE TRIGGER "reality_messages_insert" AFTER INSERT ON "messages" REFERENCING NEW TABLE')
      expect(execFileSync(binLink, ['--table', 'messages', '--uninstall'], { encoding: 'utf8' })).toContain('DROP FUNCTION IF EXISTS "reality_messages_bump"()')
    })

    for (const format of ['esm', 'cjs'] as const) {
      it(`imports every exported entry from plain Node ${format.toUpperCase()}, with its main names`, () => {
        const result = runConsumer(packed.consumerDir, format)
        for (const specifier of exported) expect(result.exports[specifier], specifier).not.toEqual([])
        for (const entry of checked) expect(result.exports[entry.specifier]).toEqual(expect.arrayContaining(entry.names))
        if (exported.includes('reality/server')) {
          expect(result.floor).toBeGreaterThan(0)
          expect(result.sync).toMatchObject({ status: 200, body: { v: 1, changed: { 'room:1': { version: result.floor } } } })
        }
      })
    }

    if (typecheckFixtures) {

      /** Runs the repo's tsc on a fixture project written into the consumer dir; returns its output ('' when clean). */
      function typecheck(name: string, files: Record<string, string>, compilerOptions: Record<string, unknown>): string {
        const dir = join(packed.consumerDir, name)
        mkdirSync(dir, { recursive: true })
        for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text)
        const tsconfig = { compilerOptions: { target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: [], ...compilerOptions }, files: Object.keys(files).filter((file) => file.endsWith('.ts')) }
        writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig))
        try {
          execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' })
          return ''
        } catch (error) {
          return String((error as { stdout?: string }).stdout ?? error)
        }
      }

      it('typechecks reality/server in a Workers project: no Node types, lib es2022 + webworker, no skipLibCheck', () => {
        const worker = [
          "import { createRealityServer, memoryVersions } from 'reality/server'",
          'const reality = createRealityServer({ versions: memoryVersions() })',
          'export default { fetch: (request: Request): Promise<Response> => reality.handler(request) }',
        ].join('\n')
        expect(typecheck('types-workers', { 'worker.ts': worker }, { lib: ['es2022', 'webworker'], module: 'esnext', moduleResolution: 'bundler' })).toBe('')
      }, 60_000)

      it('typechecks reality/solid from CommonJS under node16 resolution, no skipLibCheck', () => {
        const app = [
          "import { createReality } from 'reality/solid'",
          "export const room = () => createReality('chat:room:general', { fetcher: async () => [1, 2, 3] })",
        ].join('\n')
        const files = { 'app.ts': app, 'package.json': '{"type":"commonjs"}' }
        expect(typecheck('types-solid-cjs', files, { lib: ['es2022', 'dom'], module: 'node16', moduleResolution: 'node16', jsx: 'preserve' })).toBe('')
      }, 60_000)
    }
  })
}

describePacked('the packed tarball (a build of the working tree)', packAndInstall, 180_000, true)

// A clone of the committed HEAD: needs git and a repository (CI runs on a clone; a
// source download outside CI has neither, and says so).
const inGitRepo = existsSync(join(repoRoot, '.git'))
if (inGitRepo || inCI) {
  // Five minutes: the clone builds every entry with type declarations on two shared cores.
  describePacked('npm pack of a clean git clone (prepare builds dist/)', packCleanClone, 300_000)
} else {
  console.warn('[pack] not checking npm pack of a clean clone: this folder is not a git repository')
}
