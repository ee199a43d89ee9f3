// @vitest-environment node
/**
 * The TanStack Query example: Vite builds it; the built app syncs in a
 * happy-dom browser (the tests every example shares) and in Chromium, where
 * a message posted in one tab shows in the other without any polling timer.
 * `UPDATE_SCREENSHOT=1` rewrites screenshot.png from the Chromium run.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeInChromium, launchChromium, until, watchPage } from '../../test/browser.js'
import { startDemoServer, type DemoServer } from '../chat/app.js'
import { buildBeforeAll, itSyncsInABrowser } from '../example-app.test-helper.js'
import { buildTanstackExample } from './build.js'

const built = await buildBeforeAll('tanstack-app', buildTanstackExample)

it('builds with Vite: one script bundle holding the TanStack Query app and the bridge', async () => {
  const html = await readFile(join(built.outDir, 'index.html'), 'utf8')
  const script = /<script type="module" crossorigin src="\/(assets\/[^"]+\.js)"/.exec(html)?.[1]
  expect(script).toBeDefined()
  const bundle = await readFile(join(built.outDir, script!), 'utf8')
  expect(bundle).toContain('#general · TanStack Query')
  expect(bundle).toContain('/reality/sync')
})

itSyncsInABrowser(built)

describeInChromium('TanStack Query example in Chromium', () => {
  let browser: Browser
  let demo: DemoServer
  beforeAll(async () => {
    demo = await startDemoServer({ port: 0, staticDir: built.outDir })
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await demo?.close()
  })

  it('a message posted in one tab shows in the other: the query refetches when the server invalidates its key', async () => {
    const context = await browser.newContext({ viewport: { width: 720, height: 480 } })
    const errors = watchPage(context)
    const [alice, bob] = [await context.newPage(), await context.newPage()]
    for (const page of [alice, bob]) {
      await page.goto(demo.url)
      await until(async () => (await page.textContent('.status')) === 'live', 'the page to go live')
    }
    await alice.fill('input', 'hello from a TanStack Query app')
    await alice.press('input', 'Enter')
    await bob.locator('.message .text', { hasText: 'hello from a TanStack Query app' }).waitFor({ timeout: 15_000 })
    await bob.fill('input', 'no refetchInterval needed')
    await bob.press('input', 'Enter')
    const texts = (page: typeof alice) => page.locator('.message:not(.pending) .text').allTextContents()
    const both = ['hello from a TanStack Query app', 'no refetchInterval needed']
    await until(async () => JSON.stringify(await texts(alice)) === JSON.stringify(both), "bob's message in alice's tab")
    await until(async () => JSON.stringify(await texts(bob)) === JSON.stringify(both), "bob's own message, settled")
    if (process.env.UPDATE_SCREENSHOT === '1') await alice.screenshot({ path: fileURLToPath(new URL('screenshot.png', import.meta.url)) })
    expect(errors).toEqual([])
    await context.close()
  })
})
