import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoServer, type DemoServer } from './app.js'
import { openStaticFiles, type StaticFiles } from './static-files.js'
import { call, rawGet } from './test-http.js'

let base: string
let files: StaticFiles
let demo: DemoServer

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'reality-static-'))
  const root = path.join(base, 'dist')
  await mkdir(path.join(root, 'assets'), { recursive: true })
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>app</title>')
  await writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)')
  await writeFile(path.join(root, 'assets', 'index.html'), 'nested index')
  await writeFile(path.join(base, 'secret.txt'), 'top secret')
  // A link inside the root that points outside it must not be followed out.
  await symlink(path.join(base, 'secret.txt'), path.join(root, 'leak.txt'))
  files = await openStaticFiles(root)
  demo = await startDemoServer({ port: 0, staticDir: root })
})

afterAll(async () => {
  await demo?.close()
  await rm(base, { recursive: true, force: true })
})

describe('openStaticFiles', () => {
  it('finds index.html for directories and files with their content type', async () => {
    expect((await files.find('/'))?.body.toString()).toContain('<title>app</title>')
    expect((await files.find('/'))?.contentType).toBe('text/html; charset=utf-8')
    expect((await files.find('/assets/app.js'))?.contentType).toBe('text/javascript; charset=utf-8')
    expect((await files.find('/assets/'))?.body.toString()).toBe('nested index')
    expect((await files.find('/assets/app%2Ejs'))?.body.toString()).toBe('console.log(1)')
  })

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/assets%2f..%2f..%2fsecret.txt',
    '/leak.txt',
    '/assets',
    '/missing.js',
    '/%00index.html',
    '/%E0%A4%A',
    'index.html',
  ])('gives nothing for %s', async (urlPath) => {
    expect(await files.find(urlPath)).toBeUndefined()
  })

  it('refuses a staticDir that is not a directory', async () => {
    await expect(openStaticFiles(path.join(base, 'secret.txt'))).rejects.toThrow(/not a readable directory/)
    await expect(openStaticFiles(path.join(base, 'nope'))).rejects.toThrow(/not a readable directory/)
  })
})

describe('startDemoServer({ staticDir })', () => {
  it('serves the directory instead of the built-in page, the API beside it', async () => {
    const page = await call(demo.url, '/')
    expect(page.status).toBe(200)
    expect(page.text).toContain('<title>app</title>')
    expect((await call(demo.url, '/main.js')).status).toBe(404)
    expect((await call(demo.url, '/assets/app.js')).text).toBe('console.log(1)')
    expect((await call(demo.url, '/api/messages')).status).toBe(200)
  })

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/leak.txt', '//etc/passwd'])('answers 404 to %s over HTTP', async (urlPath) => {
    const { status, text } = await rawGet(demo.port, urlPath)
    expect(status).toBe(404)
    expect(text).not.toContain('top secret')
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'not_found' } })
  })
})
