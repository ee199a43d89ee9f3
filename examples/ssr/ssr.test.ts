/**
 * The SSR example in Chromium: the HTML already holds the data (before any
 * script runs), the browser hydrates without fetching the hydrated key, then
 * goes live and follows a change. Also `npm run example:ssr` as a process.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { describeInChromium, launchChromium, until, watchPage } from '../../test/browser.js'
import { saveScreenshot } from '../example-app.test-helper.js'
import { startExampleProcess, stopExampleProcesses } from '../example-process.test-helper.js'
import { buildSsrExample } from './build.js'
import { snapshotScript, startSsrServer, type SsrServer } from './server.js'

describeInChromium('SSR example in Chromium', () => {
  let buildDir: string
  let server: SsrServer
  let browser: Browser
  const pageErrors: string[] = []

  beforeAll(async () => {
    buildDir = await mkdtemp(join(tmpdir(), 'reality-ssr-test-'))
    await buildSsrExample(buildDir)
    server = await startSsrServer({ port: 0, buildDir })
    browser = await launchChromium()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await rm(buildDir, { recursive: true, force: true })
  })

  it('the first paint shows the data: it is in the HTML, and shows with scripts off', async () => {
    const html = await (await fetch(server.url)).text()
    expect(html).toMatch(/<h1 class="headline">Rendered on the server, live in the browser<\/h1>/)
    expect(html).toContain('<script type="application/json" id="reality-snapshot">')

    const context = await browser.newContext({ javaScriptEnabled: false })
    const page = await context.newPage()
    await page.goto(server.url)
    expect(await page.textContent('.headline')).toBe('Rendered on the server, live in the browser')
    await context.close()
  })

  it('hydrates without fetching the hydrated key, then goes live and follows a change', async () => {
    const fetchesBefore = server.fetches()
    const page = await browser.newPage({ viewport: { width: 720, height: 360 } })
    watchPage(page, pageErrors)
    await page.goto(server.url)
    await page.waitForSelector('.status[data-status="live"]', { timeout: 20_000 })
    await until(() => server.reality.stats().held === 1, 'the long-poll to be held')
    expect(server.fetches() - fetchesBefore).toBe(0)

    await server.write('Breaking: it follows changes')
    await until(async () => (await page.textContent('.headline')) === 'Breaking: it follows changes', 'the page to show the new headline')
    expect(server.fetches() - fetchesBefore).toBe(1)

    // And from the page's own form.
    await page.fill('input[aria-label="New headline"]', 'Published from the page')
    await page.press('input[aria-label="New headline"]', 'Enter')
    await until(async () => (await page.textContent('.headline')) === 'Published from the page', 'the published headline')
    expect(await page.textContent('.writes')).toBe('rewritten 2 times')
    await saveScreenshot(page, 'ssr')
    await page.close()
    // A hydration mismatch would show here (React logs it as an error).
    expect(pageErrors).toEqual([])
  })

  it('embeds the snapshot so that no text in the data can end the script element', () => {
    const script = snapshotScript({ v: 1, nodes: { 'ssr:headline': { data: { text: '</script><script>alert(1)</script>', writes: 1 }, version: 1 } } })
    expect(script.match(/<\/script>/g)).toHaveLength(1)
    expect(JSON.parse(script.slice(script.indexOf('>') + 1, -'</script>'.length)).nodes['ssr:headline'].data.text).toBe('</script><script>alert(1)</script>')
  })
})

afterEach(stopExampleProcesses)

it('npm run example:ssr builds, serves the rendered page, and removes its build when stopped', { timeout: 180_000 }, async () => {
  const example = startExampleProcess('examples/ssr/serve.ts', { PORT: '0' })
  const url = await example.url(150_000)
  expect(await (await fetch(url)).text()).toContain('<h1 class="headline">Rendered on the server, live in the browser</h1>')
  expect(example.tempFiles()).toHaveLength(1)
  example.child.kill('SIGTERM')
  expect(await example.exited).toBe(0)
  expect(example.tempFiles()).toEqual([])
})
