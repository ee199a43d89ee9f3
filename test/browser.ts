/**
 * The one Chromium harness every browser test shares: Debian's
 * `/usr/bin/chromium` driven by playwright-core (never a downloaded browser).
 *
 * - `describeInChromium(title, fn)` registers a suite that runs when Chromium
 *   is there, is skipped with the reason in its title (and one console line)
 *   when it is not, and fails under `CI=true` when it is missing.
 * - `launchChromium()` starts a headless browser with the flags this machine
 *   needs (no background networking: the network is closed here).
 * - `watchPage(page)` collects page errors and console errors, so a test can
 *   assert a clean page.
 * - `until(condition, what)` polls without fixed sleeps.
 *
 * @example
 * describeInChromium('chat page', () => {
 *   let browser: Browser
 *   beforeAll(async () => (browser = await launchChromium()))
 *   afterAll(() => browser?.close())
 *   it('goes live', async () => { const page = await browser.newPage(); … })
 * })
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext, type LaunchOptions, type Page } from 'playwright-core'
import { describe, it } from 'vitest'

export const CHROMIUM = '/usr/bin/chromium'
export const chromiumAvailable = existsSync(CHROMIUM)
const requiredInCI = process.env.CI === 'true'

/** Flags for headless Chromium as root on a machine with a closed network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/**
 * A `describe` that needs Chromium: skipped with a visible reason locally when
 * it is missing, a failing test under `CI=true`. `retry` is for suites that
 * race several tabs against each other's timers: on two shared cores a tab
 * can miss a window and do one extra fetch; a suite that fails every try
 * still fails.
 *
 * @example
 * describeInChromium('tabs', () => { it('elects one leader', async () => { … }) })
 */
export function describeInChromium(title: string, fn: () => void, options: { timeout?: number; retry?: number } = {}): void {
  if (!chromiumAvailable && requiredInCI) {
    describe(title, () => {
      it('needs Chromium under CI=true', () => {
        throw new Error(`${CHROMIUM} is missing; CI must install it (apt-get install -y chromium).`)
      })
    })
    return
  }
  if (!chromiumAvailable) {
    console.warn(`[${title}] skipped: ${CHROMIUM} not found. Install it (apt-get install -y chromium) to run it; CI=true makes it required.`)
  }
  const shown = chromiumAvailable ? title : `${title} — SKIPPED: ${CHROMIUM} not found (apt-get install -y chromium to run it)`
  describe.skipIf(!chromiumAvailable)(shown, { timeout: options.timeout ?? 90_000, retry: options.retry ?? 0 }, fn)
}

/**
 * Starts headless Chromium. Close it in `afterAll`.
 *
 * @example
 * const browser = await launchChromium()
 */
export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, ...options, args: [...CHROMIUM_ARGS, ...(options.args ?? [])] })
}

/**
 * Collects uncaught page errors and `console.error` lines of a page (or of
 * every page of a context), for a "the page stayed clean" assertion.
 *
 * @example
 * const errors = watchPage(page); …; expect(errors).toEqual([])
 */
export function watchPage(target: Page | BrowserContext, errors: string[] = []): string[] {
  const watch = (page: Page) => {
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text())
    })
  }
  if ('pages' in target) {
    target.pages().forEach(watch)
    target.on('page', watch)
  } else watch(target)
  return errors
}

/**
 * Polls `condition` every 20 ms until it is truthy (no fixed sleeps); fails
 * with what it waited for after `timeout` ms (default 15 s: two shared cores).
 *
 * @example
 * await until(async () => (await page.textContent('#status')) === 'live', 'the page to go live')
 */
export async function until(condition: () => unknown, what: string, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting for ${what}.`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
