/**
 * The tests every framework chat example shares (registered by each
 * example's own `app.test.ts`): the example is started by its one command
 * (`npm run example:<name>`'s entry, as a process, on a free port), its
 * served build is checked, and Chromium drives it — live status, a message
 * posted elsewhere, its own posts, Enter while a send is pending, a network
 * failure explained in words. A busy port is refused in words, and the
 * temporary build is gone once the example stops.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createServer } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeInChromium, launchChromium, until, watchPage } from '../test/browser.js'
import { startExampleProcess, stopExampleProcesses, type ExampleProcess } from './example-process.test-helper.js'

/** Generous: the two CPU cores are shared with other test runs. */
const WAIT = { timeout: 20_000 }

/**
 * Saves what a Chromium test sees as `examples/<name>/screenshot.png` when
 * `REALITY_UPDATE_SCREENSHOTS=1` (the committed pictures); otherwise only
 * checks that a picture was taken.
 *
 * @example
 * await saveScreenshot(page, 'react')
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  const picture = await page.screenshot({ fullPage: false })
  expect(picture.length).toBeGreaterThan(1000)
  if (process.env.REALITY_UPDATE_SCREENSHOTS !== '1') return
  const file = fileURLToPath(new URL(`./${name}/screenshot.png`, import.meta.url))
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, picture)
}

/** What differs between the framework chats. */
export interface ChatExample {
  /** Folder and npm script name: `react` → examples/react, `npm run example:react`. */
  name: string
  /** Text of the framework's server build that the client bundle must not hold. */
  serverOnly?: string
}

/**
 * Registers the suite of one framework chat example.
 *
 * @example
 * describeChatExample({ name: 'svelte', serverOnly: 'is not available on the server' })
 */
export function describeChatExample({ name, serverOnly }: ChatExample): void {
  describeInChromium(`npm run example:${name} in Chromium`, () => {
    let example: ExampleProcess
    let url: string
    let browser: Browser
    const pageErrors: string[] = []

    beforeAll(async () => {
      example = startExampleProcess(`examples/${name}/serve.ts`, { PORT: '0' })
      ;[url, browser] = await Promise.all([example.url(), launchChromium()])
    }, 120_000)
    afterAll(async () => {
      await browser?.close()
      await stopExampleProcesses()
    })

    const texts = (page: Page) => page.locator('.messages .message .text').allTextContents()
    const send = async (page: Page, text: string) => {
      await page.fill('input[aria-label="Message"]', text)
      await page.press('input[aria-label="Message"]', 'Enter')
    }
    const stored = async () => ((await (await fetch(new URL('/api/messages', url))).json()) as { text: string }[]).map((message) => message.text)
    const openPage = async () => {
      const page = await browser.newPage({ viewport: { width: 720, height: 560 } })
      watchPage(page, pageErrors)
      await page.goto(url)
      await page.waitForSelector('.status[data-status="live"]', WAIT)
      return page
    }

    it('serves its Vite build: one script bundle holding the app (client build), its CSS', async () => {
      const html = await (await fetch(url)).text()
      const script = /<script type="module" crossorigin src="\/(assets\/[^"]+\.js)"/.exec(html)?.[1]
      expect(script).toBeDefined()
      const bundle = await (await fetch(new URL(script!, url))).text()
      expect(bundle).toContain('chat:room:general')
      expect(bundle).toContain('/reality/sync')
      if (serverOnly !== undefined) expect(bundle).not.toContain(serverOnly)
      expect(html).toMatch(/<link rel="stylesheet" crossorigin href="\/assets\/[^"]+\.css"/)
    })

    it("goes live, shows another tab's message and posts its own", async () => {
      const page = await openPage()
      await page.waitForSelector('.empty', WAIT)
      await fetch(new URL('/api/messages', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"from another tab"}' })
      await page.locator('.message .text', { hasText: 'from another tab' }).waitFor(WAIT)
      await send(page, 'from this page')
      await page.locator('.message:not(.pending) .text', { hasText: 'from this page' }).waitFor(WAIT)
      expect(await texts(page)).toEqual(['from another tab', 'from this page'])
      expect(await stored()).toEqual(['from another tab', 'from this page'])
      await saveScreenshot(page, name)
      await page.close()
    })

    it('sends a message typed while the previous send is pending (Enter is never dropped)', async () => {
      const page = await openPage()
      const held: (() => void)[] = []
      // Hold every POST until both messages were entered.
      await page.route('**/api/messages', async (route) => {
        if (route.request().method() !== 'POST') return route.continue()
        await new Promise<void>((resolve) => held.push(resolve))
        await route.continue()
      })
      await send(page, 'first while pending')
      await until(() => held.length === 1, 'the first POST to be held')
      await send(page, 'second while pending')
      await until(() => held.length === 2, 'the second POST to be sent while the first is pending')
      expect(await page.locator('.message.pending').count()).toBe(2)
      for (const release of held) release()
      await until(async () => (await page.locator('.message.pending').count()) === 0, 'both sends to settle')
      expect((await texts(page)).slice(-2)).toEqual(['first while pending', 'second while pending'])
      expect((await stored()).slice(-2)).toEqual(['first while pending', 'second while pending'])
      await page.close()
    })

    it('says in words that the server could not be reached, and gives the text back', async () => {
      const page = await openPage()
      await page.route('**/api/messages', (route) => (route.request().method() === 'POST' ? route.abort('connectionrefused') : route.continue()))
      await send(page, 'lost in the network')
      await page.waitForSelector('.error', WAIT)
      expect(await page.textContent('.error')).toBe('Not sent: the chat server could not be reached (is it running, are you online?). Try again.')
      expect(await page.inputValue('input[aria-label="Message"]')).toBe('lost in the network')
      await page.close()
      // The aborted request is the only console error Chromium reports.
      expect(pageErrors.filter((error) => !error.includes('net::ERR_CONNECTION_REFUSED')), pageErrors.join('\n')).toEqual([])
    })

    it('refuses a busy port in words, leaving no build behind, and removes its build when stopped', async () => {
      const blocker = createServer()
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
      const port = (blocker.address() as { port: number }).port
      try {
        const second = startExampleProcess(`examples/${name}/serve.ts`, { PORT: String(port) })
        expect(await second.exited).toBe(1)
        expect(second.output().stderr).toContain(`Port ${port} is already in use`)
        expect(second.output().stderr).toContain(`npm run example:${name}, or PORT=0 for any free port`)
        expect(second.output().stderr).not.toMatch(/^\s+at /m)
        expect(second.tempFiles()).toEqual([])
        await second.stop()
      } finally {
        await new Promise((resolve) => blocker.close(resolve))
      }
      expect(example.tempFiles()).toHaveLength(1)
      example.child.kill('SIGTERM')
      expect(await example.exited).toBe(0)
      expect(example.tempFiles()).toEqual([])
    })
  })
}
