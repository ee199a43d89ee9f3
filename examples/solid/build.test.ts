// @vitest-environment node
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { buildSolidExample } from './build.js'

const outDir = await mkdtemp(join(tmpdir(), 'reality-solid-test-'))
afterAll(() => rm(outDir, { recursive: true, force: true }))

it('builds with Vite into an index.html and a script bundle holding the app', async () => {
  await buildSolidExample(outDir)
  const html = await readFile(join(outDir, 'index.html'), 'utf8')
  const script = /<script type="module" crossorigin src="\/(assets\/[^"]+\.js)"/.exec(html)?.[1]
  expect(script).toBeDefined()
  const bundle = await readFile(join(outDir, script!), 'utf8')
  expect(bundle).toContain('chat:room:general')
  expect(bundle).toContain('/reality/sync')
  // The client build of Solid, not the server one (which cannot render).
  expect(bundle).not.toContain('Client-only API called on the server side')
  expect((await readdir(join(outDir, 'assets'))).some((file) => file.endsWith('.css'))).toBe(true)
})
