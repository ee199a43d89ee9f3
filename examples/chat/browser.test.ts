/**
 * The demo in a real browser: two tabs on one chat, a post in one appears in
 * the other, and both show the store's connection status as "live".
 * Needs Debian's Chromium at /usr/bin/chromium (CI installs it); elsewhere
 * the suite is skipped with the reason in its name.
 */
import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { describeInChromium, watchPage } from '../../test/browser.js'
import { saveScreenshot } from '../example-app.test-helper.js'
import { startDemoServer } from './app.js'
import { demoInChromium } from './demo-in-chromium.test-helper.js'

/** Generous: the two CPU cores are shared with other test runs. */
const WAIT = { timeout: 20_000 }

// Each test waits on several events in turn; the harness gives each test 90 s.
describeInChromium('chat page in Chromium', () => {
  const session = demoInChromium()
  const pageErrors: string[] = []


  async function openTab(): Promise<Page> {
    const page = await session.browser.newPage({ viewport: { width: 720, height: 560 } })
    watchPage(page, pageErrors)
    await page.goto(session.demo.url)
    return page
  }

  async function send(page: Page, text: string): Promise<void> {
    await page.fill('#text', text)
    await page.press('#text', 'Enter')
  }

  const messageTexts = (page: Page) => page.locator('#messages .message .text').allTextContents()

  it('shows "live", and a message posted in one tab appears in the other', async () => {
    const [alice, bob] = [await openTab(), await openTab()]
    for (const page of [alice, bob]) await page.waitForSelector('#status[data-status="live"]', WAIT)
    expect(await bob.textContent('#status')).toBe('live')

    await send(alice, 'hello from alice')
    await bob.locator('#messages .message .text', { hasText: 'hello from alice' }).waitFor(WAIT)
    await send(bob, 'hi alice')
    await alice.locator('#messages .message:not(.pending) .text', { hasText: 'hi alice' }).waitFor(WAIT)

    // Both tabs converge on the same list, with the server's ids (no optimistic leftovers).
    await expect.poll(() => messageTexts(alice), WAIT).toEqual(['hello from alice', 'hi alice'])
    await expect.poll(() => messageTexts(bob), WAIT).toEqual(['hello from alice', 'hi alice'])
    expect(await alice.locator('#messages .message.pending').count()).toBe(0)
    expect(pageErrors).toEqual([])
    await saveScreenshot(bob, 'chat')
    await Promise.all([alice.close(), bob.close()])
  })

  it('shows user text as text: markup in a message is never parsed', async () => {
    const [alice, bob] = [await openTab(), await openTab()]
    await bob.waitForSelector('#status[data-status="live"]', WAIT)
    const attack = '<img src=x onerror="document.title=\'pwned\'"><b>bold?</b>'
    await send(alice, attack)
    await bob.locator('#messages .message .text', { hasText: '<img src=x' }).waitFor(WAIT)
    expect(await bob.locator('#messages .message .text').last().textContent()).toBe(attack)
    expect(await bob.locator('#messages img, #messages b').count()).toBe(0)
    expect(await bob.title()).toBe('Reality chat')
    await Promise.all([alice.close(), bob.close()])
  })

  it('shows a message at once while it is sent, and rolls it back with the reason when the server refuses it (a 4xx)', async () => {
    const page = await openTab()
    await page.waitForSelector('#status[data-status="live"]', WAIT)
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    // Hold the POST until the optimistic message is on screen, then refuse it.
    await page.route('**/api/messages', async (route) => {
      if (route.request().method() !== 'POST') return route.continue()
      await released
      await route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ error: { code: 'forbidden', message: 'The chat is resting.' } }) })
    })
    await send(page, 'will be refused')
    await page.locator('#messages .message.pending .text', { hasText: 'will be refused' }).waitFor(WAIT)
    release()
    await page.waitForSelector('#error:not([hidden])', WAIT)
    expect(await page.textContent('#error')).toBe('The chat is resting.')
    await expect.poll(() => page.locator('#messages .text', { hasText: 'will be refused' }).count(), WAIT).toBe(0)
    expect(await page.inputValue('#text')).toBe('will be refused')
    await page.close()
  })

  it('shows the connection is lost when the server goes away, instead of staying "live"', async () => {
    const doomed = await startDemoServer({ port: 0 })
    const page = await session.browser.newPage()
    try {
      await page.goto(doomed.url)
      await page.waitForSelector('#status[data-status="live"]', WAIT)
      await doomed.close()
      await page.waitForSelector('#status:is([data-status="reconnecting"], [data-status="error"], [data-status="offline"])', WAIT)
      expect(await page.textContent('#status')).not.toBe('live')
    } finally {
      await page.close()
      await doomed.close()
    }
  })

  it('explains a refused message and gives the text back', async () => {
    const page = await openTab()
    await page.waitForSelector('#status[data-status="live"]', WAIT)
    // maxlength only stops typing; a pasted-by-script value gets the page's own check.
    await page.evaluate(() => {
      ;(document.getElementById('text') as HTMLInputElement).value = 'x'.repeat(501)
    })
    await page.press('#text', 'Enter')
    await page.waitForSelector('#error:not([hidden])', WAIT)
    expect(await page.textContent('#error')).toContain('at most 500 characters')
    expect(await page.inputValue('#text')).toHaveLength(501)
    await page.close()
  })

  it('a send that cannot reach the server stays shown as pending (queued, reality/offline) and is delivered once it can', async () => {
    const page = await openTab()
    await page.waitForSelector('#status[data-status="live"]', WAIT)
    let refused = 0
    await page.route('**/api/messages', (route) => {
      if (route.request().method() !== 'POST') return route.continue()
      refused++
      return route.abort('connectionrefused')
    })
    await send(page, 'lost in the network')
    await page.locator('#messages .message.pending .text', { hasText: 'lost in the network' }).waitFor(WAIT)
    await expect.poll(() => refused, WAIT).toBeGreaterThan(0)
    expect(await page.isHidden('#error')).toBe(true) // not rolled back: nothing to say yet
    await page.unroute('**/api/messages')
    await page.locator('#messages .message:not(.pending) .text', { hasText: 'lost in the network' }).waitFor(WAIT)
    await page.close()
  })
})
