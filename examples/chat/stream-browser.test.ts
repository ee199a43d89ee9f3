/**
 * Streaming in a real browser: the demo with `?live=stream` (two tabs, one
 * open stream each, a post in one appears in the other without a new sync
 * request), and a real `EventSource` on the sync endpoint that resumes from
 * `Last-Event-ID` with a change written while it was disconnected.
 * Needs Debian's Chromium at /usr/bin/chromium; skipped with the reason elsewhere.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { createRealityServer, type RealityServer } from 'reality/server'
import { toNodeHandler } from 'reality/server/node'
import { describeInChromium, until, watchPage } from '../../test/browser.js'
import { demoInChromium } from './demo-in-chromium.test-helper.js'

const WAIT = { timeout: 20_000 }

describeInChromium('streaming in Chromium', () => {
  const session = demoInChromium()
  const pageErrors: string[] = []


  /** Opens the demo in stream mode, counting the sync requests the page sends. */
  async function openStreamingTab(): Promise<{ page: Page; syncRequests: () => { all: number; streams: number } }> {
    const page = await session.browser.newPage({ viewport: { width: 720, height: 560 } })
    watchPage(page, pageErrors)
    const counts = { all: 0, streams: 0 }
    page.on('request', (request) => {
      if (!request.url().includes('/reality/sync')) return
      counts.all++
      if (request.postData()?.includes('"stream":true')) counts.streams++
    })
    await page.goto(`${session.demo.url}?live=stream`)
    return { page, syncRequests: () => ({ ...counts }) }
  }

  it('runs the demo with ?live=stream: live, and a post in one tab reaches the other over its open stream', async () => {
    const alice = await openStreamingTab()
    const bob = await openStreamingTab()
    for (const { page } of [alice, bob]) await page.waitForSelector('#status[data-status="live"]', WAIT)
    await until(() => bob.syncRequests().streams >= 1, 'bob to open a stream')
    const before = bob.syncRequests().all
    await alice.page.fill('#text', 'streamed hello')
    await alice.page.press('#text', 'Enter')
    await bob.page.locator('#messages .message .text', { hasText: 'streamed hello' }).waitFor(WAIT)
    expect(bob.syncRequests().all).toBe(before) // it came down the open stream
    expect(await bob.page.textContent('#status')).toBe('live')
    expect(pageErrors).toEqual([])
    await Promise.all([alice.page.close(), bob.page.close()])
  })

  it('reads changes with a real EventSource and resumes from Last-Event-ID without missing a write', async () => {
    // A server whose streams end after 300 ms, so the EventSource reconnects by itself.
    const reality: RealityServer = createRealityServer({ maxStream: 300 })
    const http: Server = createServer((req, res) => {
      if (req.url?.startsWith('/reality/sync')) return void toNodeHandler(reality.handler)(req, res)
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>events</title>')
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
    const page = await session.browser.newPage()
    watchPage(page, pageErrors)
    try {
      await page.goto(`${origin}/`)
      const first = await reality.invalidate(['room:a', 'room:b'], { payload: 'one' })
      await page.evaluate(() => {
        const events: { key: string; version: number; payload?: unknown; lastEventId: string }[] = []
        ;(window as unknown as { received: typeof events }).received = events
        const source = new EventSource('/reality/sync?key=room:a&key=room:b')
        source.addEventListener('change', (event) => {
          const message = event as MessageEvent<string>
          events.push({ ...JSON.parse(message.data), lastEventId: message.lastEventId })
        })
      })
      const received = () => page.evaluate(() => (window as unknown as { received: { key: string; version: number; payload?: unknown }[] }).received)
      await until(async () => (await received()).length >= 2, 'the first two change events')
      expect((await received()).slice(0, 2)).toEqual([
        expect.objectContaining({ key: 'room:a', version: first['room:a'], payload: 'one' }),
        expect.objectContaining({ key: 'room:b', version: first['room:b'], payload: 'one' }),
      ])
      // Wait for the server to end the stream, then write while the browser is away.
      await until(() => reality.stats().held === 0, 'the stream to end (maxStream)')
      const missed = await reality.invalidate('room:b', { payload: 'two' })
      await until(async () => (await received()).some((event) => event.version === missed['room:b']), 'the write made while disconnected')
      const after = (await received()).slice(2)
      // Resumed, not restarted: room:a (unchanged) is not sent again.
      expect(after.filter((event) => event.key === 'room:a')).toEqual([])
      expect(after.at(-1)).toMatchObject({ key: 'room:b', version: missed['room:b'], payload: 'two' })
      expect(pageErrors).toEqual([])
    } finally {
      await page.close()
      await reality.close()
      http.closeAllConnections()
      await new Promise((resolve) => http.close(resolve))
    }
  })
})
