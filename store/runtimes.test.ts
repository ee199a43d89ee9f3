/**
 * The client store in real runtimes (must-hold #10): the same script, bundled
 * once with the store and a server, runs in Node, Deno and Bun and syncs
 * through `embeddedTransport` with only the runtime's own globals.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const bin = (name: string) => join(process.cwd(), 'node_modules/.bin', name)
const dir = mkdtempSync(join(tmpdir(), 'reality-store-runtimes-'))
const script = join(dir, 'script.mjs')

const SOURCE = `
import { createStore, embeddedTransport } from ${JSON.stringify(join(process.cwd(), 'store/index.ts'))}
import { createRealityServer } from ${JSON.stringify(join(process.cwd(), 'server/index.ts'))}
const server = createRealityServer()
let value = 'first'
const store = createStore({ transport: embeddedTransport(server) })
const handle = store.node('k', { fetcher: async () => value })
const until = async (ok) => { for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10)) }
handle.subscribe(() => {})
await until(() => handle.get().data === 'first')
value = 'second'
await server.invalidate('k')
await until(() => handle.get().data === 'second')
const result = [handle.get().data, store.status.get()].join(' ')
store.destroy()
await server.close()
console.log(result)
`

beforeAll(async () => {
  writeFileSync(join(dir, 'entry.mjs'), SOURCE)
  await build({ entryPoints: [join(dir, 'entry.mjs')], bundle: true, format: 'esm', platform: 'neutral', outfile: script, logLevel: 'silent', mainFields: ['module', 'main'] })
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const runtimes: [string, string, string[]][] = [
  ['node', process.execPath, [script]],
  ['deno', bin('deno'), ['run', '--no-prompt', `--allow-read=${dir}`, script]],
  ['bun', bin('bun'), [script]],
]

describe('the store runs in every runtime', () => {
  for (const [name, command, args] of runtimes) {
    const available = existsSync(command)
    if (!available && process.env.CI !== 'true') {
      console.warn(`skipping ${name}: ${command} not found`)
      it.skip(`${name} (skipped: ${command} not found)`, () => {})
      continue
    }
    it(`${name}: syncs, refetches on invalidate, exits cleanly`, async () => {
      const { stdout } = await run(command, args, { timeout: 60_000, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } })
      expect(stdout.trim()).toBe('second live')
    }, 90_000)
  }
})
