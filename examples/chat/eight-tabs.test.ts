/**
 * Eight tabs of the demo in ONE browser context (one connection pool: 6
 * HTTP/1.1 connections per host). With a held long-poll per tab, tab 7's page
 * load waited ~21 s and a send never got a connection; the demo shares one
 * held request between its tabs (reality/tabs), so every tab loads, goes
 * live, and sees every message. Timings are reported, asserted only with
 * generous bounds (the CPUs are shared).
 */
import type { Page, Request } from 'playwright-core'
import { expect, it } from 'vitest'
import { describeInChromium, until, watchPage } from '../../test/browser.js'
import { SYNC_PATH } from './app.js'
import { demoInChromium } from './demo-in-chromium.test-helper.js'

const TABS = 8

describeInChromium('chat demo: 8 tabs in one browser', () => {
  const session = demoInChromium()
  const errors: string[] = []


  it('all 8 tabs go live, a send from any tab is confirmed in every tab, and no page request waits behind a held poll', async () => {
    const context = await session.browser.newContext()
    /** Duration (ms) of every request of the pages but the sync requests, by URL path. */
    const pageRequests: { path: string; ms: number }[] = []
    const record = (request: Request) => {
      const path = new URL(request.url()).pathname
      const timing = request.timing()
      if (path !== SYNC_PATH) pageRequests.push({ path: `${request.method()} ${path}`, ms: Math.round(timing.responseEnd) })
    }
    context.on('requestfinished', record)
    watchPage(context, errors)

    const pages: Page[] = []
    const liveAfter: number[] = []
    const liveAfterLoad: number[] = []
    for (let index = 0; index < TABS; index++) {
      const page = await context.newPage()
      const openedAt = Date.now()
      await page.goto(session.demo.url, { timeout: 20_000 })
      const loadedAt = Date.now()
      await page.waitForSelector('#status[data-status="live"]', { timeout: 20_000 })
      liveAfter.push(Date.now() - openedAt)
      liveAfterLoad.push(Date.now() - loadedAt)
      pages.push(page)
    }
    await until(() => session.demo.reality.stats().held <= 1, 'one held request for the browser')

    const confirmAfter: number[] = []
    for (const from of [TABS - 1, 0]) {
      const text = `hello from tab ${from + 1}`
      const sentAt = Date.now()
      await pages[from]!.fill('#text', text)
      await pages[from]!.press('#text', 'Enter')
      await Promise.all(pages.map((page) => page.locator('#messages .message:not(.pending) .text', { hasText: text }).waitFor({ timeout: 20_000 })))
      confirmAfter.push(Date.now() - sentAt)
    }
    const held = session.demo.reality.stats().held
    const slowest = pageRequests.reduce((max, request) => (request.ms > max.ms ? request : max), { path: '', ms: 0 })
    console.log(
      `[8 tabs] live after opening (ms): ${liveAfter.join(', ')} (after the page's load event: ${liveAfterLoad.join(', ')}); send confirmed in all 8 tabs after (ms): ${confirmAfter.join(', ')}; ` +
        `page requests: ${pageRequests.length}, slowest ${slowest.path} ${slowest.ms} ms; sync requests held now: ${held}`,
    )
    expect(held).toBeLessThanOrEqual(1)
    // Without sharing, tab 7's GET / waited ~21 s for a connection; 5 s is generous for a loopback request.
    expect(slowest.ms).toBeLessThan(5000)
    expect(Math.max(...liveAfter)).toBeLessThan(10_000)
    expect(Math.max(...confirmAfter)).toBeLessThan(10_000)
    await context.close()
    expect(errors).toEqual([])
  })
}, { retry: 2 })
