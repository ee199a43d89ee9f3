/**
 * The setup every Chromium test of the chat demo shares: the demo server on a
 * free port and a headless Chromium (test/browser.ts), started before the
 * suite's tests and closed after them.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchChromium } from '../../test/browser.js'
import { startDemoServer, type DemoServer } from './app.js'

/** The running demo and browser of one suite (set once `beforeAll` has run). */
export interface DemoInChromium {
  readonly demo: DemoServer
  readonly browser: Browser
}

/**
 * Registers `beforeAll`/`afterAll` that start and close the demo and Chromium.
 *
 * @example
 * const session = demoInChromium()
 * it('goes live', async () => { const page = await session.browser.newPage(); await page.goto(session.demo.url) })
 */
export function demoInChromium(): DemoInChromium {
  const session = {} as { demo: DemoServer; browser: Browser }
  beforeAll(async () => {
    session.demo = await startDemoServer({ port: 0 })
    session.browser = await launchChromium()
  })
  afterAll(async () => {
    await session.browser?.close()
    await session.demo?.close()
  })
  return session
}
