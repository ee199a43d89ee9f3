// @vitest-environment node
/**
 * The TanStack Query example, started by its one command
 * (`npm run example:tanstack`'s entry, as a process, on a free port): its
 * served build holds the app and the bridge, and in Chromium a message
 * posted in one tab shows in the other without any polling timer.
 * `REALITY_UPDATE_SCREENSHOTS=1` rewrites screenshot.png.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeInChromium, launchChromium, until, watchPage } from '../../test/browser.js'
import { saveScreenshot } from '../example-app.test-helper.js'
import { startExampleProcess, stopExampleProcesses, type ExampleProcess } from '../example-process.test-helper.js'

describeInChromium('npm run example:tanstack in Chromium', () => {
  let example: ExampleProcess
  let url: string
  let browser: Browser
  beforeAll(async () => {
    example = startExampleProcess('examples/tanstack/serve.ts', { PORT: '0' })
    ;[url, browser] = await Promise.all([example.url(), launchChromium()])
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await stopExampleProcesses()
  })

  it('serves its Vite build: one script bundle holding the TanStack Query app and the bridge', async () => {
    const html = await (await fetch(url)).text()
    const script = /<script type="module" crossorigin src="\/(assets\/[^"]+\.js)"/.exec(html)?.[1]
    expect(script).toBeDefined()
    const bundle = await (await fetch(new URL(script!, url))).text()
    expect(bundle).toContain('#general · TanStack Query')
    expect(bundle).toContain('/reality/sync')
  })

  it('a message posted in one tab shows in the other: the query refetches when the server invalidates its key', async () => {
    const context = await browser.newContext({ viewport: { width: 720, height: 480 } })
    const errors = watchPage(context)
    const [alice, bob] = [await context.newPage(), await context.newPage()]
    for (const page of [alice, bob]) {
      await page.goto(url)
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
    await saveScreenshot(alice, 'tanstack')
    expect(errors).toEqual([])
    await context.close()
  })
})
