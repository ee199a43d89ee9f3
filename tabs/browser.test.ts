/**
 * reality/tabs in real Chromium: pages of one browser context, served from a
 * loopback server that records every sync request and every fetch. This is
 * the Web Locks path (election and fetch-once); one suite removes
 * `navigator.locks` to run the BroadcastChannel fallback election.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { describeInChromium, launchChromium, until, watchPage } from '../test/browser.js'
import { startTabsTestServer, type TabsTestServer } from './test-server.js'

const SYNC = '/reality/sync'

async function buildPage(): Promise<Record<string, { type: string; body: string }>> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./browser-page.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  })
  return {
    '/': { type: 'text/html', body: '<!doctype html><title>tabs</title><link rel="icon" href="data:,"><script type="module" src="/page.js"></script>' },
    '/page.js': { type: 'text/javascript', body: bundle.outputFiles[0]!.text },
  }
}

const shown = (page: Page, key: string) => page.evaluate((key) => window.page?.shown[key], key)
const debug = (page: Page) => page.evaluate(() => window.page.debug())
const status = (page: Page) => page.evaluate(() => window.page?.status())

describeInChromium('reality/tabs in Chromium', () => {
  let browser: Browser
  let files: Awaited<ReturnType<typeof buildPage>>
  // Each test (each retry too) gets its own server and browser context, closed
  // whatever happens: a failed try must leave no tab polling and no data behind.
  let server: TabsTestServer
  let context: BrowserContext
  let opened = 0
  const errors: string[] = []

  beforeAll(async () => {
    files = await buildPage()
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })
  beforeEach(async () => {
    server = await startTabsTestServer(files)
    context = await browser.newContext()
    errors.length = 0
  })
  afterEach(async () => {
    await context.close()
    await server.close()
  })

  async function open(keys: string, endpoint = SYNC): Promise<Page> {
    const page = await context.newPage()
    watchPage(page, errors)
    await page.goto(`${server.origin}/?keys=${keys}&endpoint=${endpoint}&tab=${++opened}`)
    return page
  }

  it('5 tabs: one held request and one fetch per change; closing the leader hands over; hidden tabs and other endpoints', async () => {
    const keysOf = ['k1,k2', 'k2,k3', 'k1,k3', 'k1', 'k1,k2,k3']
    const pages: Page[] = []
    for (const keys of keysOf) pages.push(await open(keys))
    const watching = (key: string) => pages.filter((_, index) => keysOf[index]!.split(',').includes(key))
    const showsEverywhere = async (key: string, value: string) => (await Promise.all(watching(key).map((page) => shown(page, key)))).every((data) => data === value)

    for (const key of ['k1', 'k2', 'k3']) await until(() => showsEverywhere(key, `${key}:initial`), `${key} in every tab`)
    await until(async () => (await Promise.all(pages.map(status))).every((state) => state === 'live'), 'every tab live')
    expect((await Promise.all(pages.map(debug))).filter((state) => state.leader)).toHaveLength(1)
    await until(() => server.open(SYNC) === 1 && server.syncs.at(-1)?.wait, 'one held request for the browser')
    // (A tab opened later fetches its keys itself: the data was broadcast before it existed.)

    // A hidden tab (a follower) keeps receiving changes: it costs no connection.
    const hidden = pages[3]!
    expect((await debug(hidden)).leader).toBe(false)
    await hidden.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true })
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }))
    })

    const perChange: { syncs: number; held: number; peak: number; fetches: number; by: string; ms: number }[] = []
    for (let change = 1; change <= 3; change++) {
      await until(() => server.open(SYNC) === 1 && server.syncs.at(-1)?.wait, 'one held request before the change')
      const syncsBefore = server.syncs.length
      const fetchesBefore = server.fetchLog.length
      server.resetPeak()
      const startedAt = Date.now()
      await server.write('k1', `k1:v${change}`)
      await until(() => showsEverywhere('k1', `k1:v${change}`), `change ${change} of k1 in every tab watching it`)
      const ms = Date.now() - startedAt
      await until(() => server.open(SYNC) === 1 && server.syncs.at(-1)?.wait && server.syncs.at(-1)!.known.k1 !== undefined, 'one held request after the change')
      const sent = server.syncs.slice(syncsBefore)
      const fetched = server.fetchLog.slice(fetchesBefore)
      perChange.push({ syncs: sent.length, held: sent.filter((sync) => sync.wait).length, peak: server.peak(SYNC), fetches: fetched.length, by: fetched.map(({ key, tab }) => `${key}@tab${tab}`).join(), ms })
    }
    console.log(`[tabs] 5 tabs, per change of k1 (watched by 4 tabs): ${JSON.stringify(perChange)}`)
    for (const change of perChange) {
      expect(change.fetches, `fetches of change ${JSON.stringify(change)}`).toBe(1)
      expect(change.held).toBe(1)
      expect(change.peak).toBe(1)
    }
    expect(await status(hidden)).toBe('live')

    // The leader closes: another tab takes over and every tab keeps updating.
    const leaderIndex = (await Promise.all(pages.map(debug))).findIndex((state) => state.leader)
    const [leader] = pages.splice(leaderIndex, 1)
    keysOf.splice(leaderIndex, 1)
    const syncsBefore = server.syncs.length
    const closedAt = Date.now()
    await leader!.close()
    await server.write('k2', 'k2:after-leader')
    await until(() => server.syncs.length > syncsBefore, 'the new leader to sync', 10_000)
    const firstSyncMs = Date.now() - closedAt
    await until(() => showsEverywhere('k2', 'k2:after-leader'), 'the write after the leader closed in every remaining tab', 10_000)
    const takeoverMs = Date.now() - closedAt
    console.log(`[tabs] leader closed → new leader's first request ${firstSyncMs} ms, write shown in every remaining tab ${takeoverMs} ms`)
    expect(takeoverMs).toBeLessThan(10_000) // generous: the claim is ≤ 1 s, measured above; CPUs are shared
    expect((await Promise.all(pages.map(debug))).filter((state) => state.leader)).toHaveLength(1)
    await until(() => server.open(SYNC) === 1, 'one held request again')

    // A tab syncing with another endpoint is not mixed in: its own request, its own keys.
    const other = await open('o1', '/other/sync')
    await until(async () => (await shown(other, 'o1')) === 'o1:initial' && (await status(other)) === 'live', 'the other-endpoint tab live')
    expect((await debug(other)).leader).toBe(true)
    await until(() => server.open('/other/sync') === 1 && server.open(SYNC) === 1, 'one held request per endpoint')
    expect(server.syncs.filter((sync) => sync.path === SYNC).some((sync) => 'o1' in sync.known)).toBe(false)
    expect(server.syncs.filter((sync) => sync.path === '/other/sync').every((sync) => Object.keys(sync.known).join() === 'o1')).toBe(true)
    await server.write('o1', 'o1:v2')
    await until(async () => (await shown(other, 'o1')) === 'o1:v2', 'the other endpoint’s change')

    await context.close()
    await until(() => server.open() === 0, 'every request gone with the pages')
    expect(errors).toEqual([])
  })

  it('without Web Locks, the BroadcastChannel election still gives one held request and every change', async () => {
    await context.addInitScript(() => {
      delete (Navigator.prototype as { locks?: unknown }).locks
    })
    const pages = [await open('f1'), await open('f1'), await open('f1')]
    await until(async () => (await Promise.all(pages.map(status))).every((state) => state === 'live'), 'every tab live')
    expect((await Promise.all(pages.map(debug))).filter((state) => state.leader)).toHaveLength(1)
    await until(() => server.open(SYNC) === 1 && server.syncs.at(-1)?.wait, 'one held request')
    await server.write('f1', 'f1:v2')
    await until(async () => (await Promise.all(pages.map((page) => shown(page, 'f1')))).every((data) => data === 'f1:v2'), 'the change in every tab')
    await context.close()
    await until(() => server.open() === 0, 'every request gone with the pages')
    expect(errors).toEqual([])
  })
}, { retry: 2 })
