/**
 * Three separately built frontends (React, Vue, and Svelte pinned to the
 * round-1 library) on one host page, in Chromium, counted at the server:
 * requests per change, fetches per change, a change reaching every frontend,
 * unmounting one, and the sync requests a page load costs with classic,
 * `defer` and module `<script>` tags (issue 15).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { describeInChromium, launchChromium, until, watchPage } from '../../test/browser.js'
import { saveScreenshot } from '../example-app.test-helper.js'
import { FRONTENDS, PINNED_COMMIT, buildMicroFrontends } from './build.js'
import type { ScriptLoading } from './host-page.js'
import type { BoardKey } from './keys.js'
import { startMicroFrontendsServer, type MicroFrontendsServer, type RequestLogEntry } from './server.js'

/** Which keys each frontend shows. */
const WATCHES: Record<(typeof FRONTENDS)[number], BoardKey[]> = { react: ['k1', 'k2'], vue: ['k2', 'k3'], svelte: ['k1', 'k3'] }

/** Sync requests a page load sent before its first data fetch, and until one poll was held for every key. */
function pageLoadCounts(log: readonly RequestLogEntry[]): { beforeFirstFetch: number; untilHeldForAllKeys: number } {
  const syncsIn = (entries: readonly RequestLogEntry[]) => entries.filter((entry) => entry.kind === 'sync').length
  const firstFetch = log.findIndex((entry) => entry.kind === 'fetch')
  const heldForAll = log.findIndex((entry) => entry.kind === 'sync' && entry.wait > 0 && entry.keys.join() === 'k1,k2,k3')
  return { beforeFirstFetch: syncsIn(log.slice(0, firstFetch)), untilHeldForAllKeys: syncsIn(log.slice(0, heldForAll + 1)) }
}

const heldForAllKeys = (log: readonly RequestLogEntry[]) => log.some((entry) => entry.kind === 'sync' && entry.wait > 0 && entry.keys.join() === 'k1,k2,k3')

describeInChromium('micro-frontends page in Chromium', () => {
  let appsDir: string
  let server: MicroFrontendsServer
  let browser: Browser
  const pageErrors: string[] = []

  beforeAll(async () => {
    appsDir = await mkdtemp(join(tmpdir(), 'reality-micro-frontends-test-'))
    await buildMicroFrontends(appsDir)
    server = await startMicroFrontendsServer({ port: 0, appsDir, frontends: FRONTENDS })
    browser = await launchChromium()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await rm(appsDir, { recursive: true, force: true })
  })

  const shown = (page: Page, frontend: string, key: BoardKey) => page.textContent(`[data-frontend="${frontend}"] [data-key="${key}"] dd`)

  let page: Page | undefined
  afterEach(async () => {
    await page?.close()
    page = undefined
  })

  /** Opens the host page and waits until every frontend is live and one poll is held for all keys. */
  async function openHost(loading: ScriptLoading = 'module'): Promise<Page> {
    // The previous page's poll is gone first, so the log holds this page's requests only.
    await until(() => server.reality.stats().held === 0, 'earlier pages to let go of their polls')
    server.clearLog()
    page = await browser.newPage({ viewport: { width: 1000, height: 420 } })
    watchPage(page, pageErrors)
    await page.goto(`${server.url}?scripts=${loading}`)
    for (const frontend of FRONTENDS) await page.waitForSelector(`[data-frontend="${frontend}"] .status[data-status="live"]`, { timeout: 20_000 })
    await until(() => heldForAllKeys(server.log()) && server.reality.stats().held === 1, 'one poll held for every key').catch((error: Error) => {
      throw new Error(`${error.message} Requests: ${JSON.stringify(server.log())}. Page errors: ${pageErrors.join('; ') || 'none'}.`)
    })
    return page
  }

  /** Writes `key` and waits until every mounted frontend showing it has it and a poll is held again; returns what the write cost. */
  async function writeAndCount(page: Page, key: BoardKey, value: string, showing: string[]): Promise<{ syncs: number; fetches: string[] }> {
    const before = server.log().length
    await server.write(key, value)
    for (const frontend of showing) await until(async () => (await shown(page, frontend, key)) === value, `${frontend} to show ${key} = ${value}`)
    await until(() => server.reality.stats().held === 1, 'the next poll to be held')
    const after = server.log().slice(before)
    return { syncs: after.filter((entry) => entry.kind === 'sync').length, fetches: after.flatMap((entry) => (entry.kind === 'fetch' ? [entry.key] : [])) }
  }

  it('each frontend bundles its own copy of the library; Svelte the round-1 one', async () => {
    const { readFile } = await import('node:fs/promises')
    for (const frontend of FRONTENDS) {
      const bundle = await readFile(join(appsDir, `apps/${frontend}.js`), 'utf8')
      // The registry brand: every copy looks for the page's store under it.
      expect(bundle).toContain('reality.registry')
    }
    const svelte = await readFile(join(appsDir, 'apps/svelte.js'), 'utf8')
    expect(svelte).toContain(`reality from commit ${PINNED_COMMIT}`)
    // store.internals came after round 1: in the current copies, not in the pinned one.
    expect(await readFile(join(appsDir, 'apps/react.js'), 'utf8')).toContain('internals')
    expect(svelte).not.toContain('internals')
  })

  it('one sync request and one fetch per change for all three frontends; a change shows in every frontend that watches it', async () => {
    const page = await openHost()
    for (const [frontend, keys] of Object.entries(WATCHES)) for (const key of keys) expect(await shown(page, frontend, key)).toBe(`initial ${key}`)
    const costs = {
      k1: await writeAndCount(page, 'k1', 'one', ['react', 'svelte']),
      k2: await writeAndCount(page, 'k2', 'two', ['react', 'vue']),
      k3: await writeAndCount(page, 'k3', 'three', ['vue', 'svelte']),
    }
    console.log(`[micro-frontends] per change (sync requests started / data fetches): ${Object.entries(costs).map(([key, cost]) => `${key} ${cost.syncs}/${cost.fetches.length}`).join(', ')}`)
    for (const [key, cost] of Object.entries(costs)) {
      expect(cost.fetches, key).toEqual([key])
      expect(cost.syncs, key).toBe(1)
    }
    await saveScreenshot(page, 'micro-frontends')
    expect(pageErrors).toEqual([])
  })

  it('unmounting one frontend leaves the others live', async () => {
    const page = await openHost()
    await page.click('[data-unmount="react"]')
    await until(async () => (await page.locator('#react-app *').count()) === 0, 'React to unmount')
    const k1 = await writeAndCount(page, 'k1', 'after unmount', ['svelte'])
    const k2 = await writeAndCount(page, 'k2', 'after unmount', ['vue'])
    expect([k1.fetches, k2.fetches]).toEqual([['k1'], ['k2']])
    for (const frontend of ['vue', 'svelte']) expect(await page.getAttribute(`[data-frontend="${frontend}"] .status`, 'data-status')).toBe('live')
    // Unmounting Vue too leaves k2 to nobody: once the grace period is over
    // it is only cached (ARCHITECTURE.md C6), and the next poll leaves it out.
    await page.click('[data-unmount="vue"]')
    const stateOfK2 = () =>
      page.evaluate(() => {
        const registry = (globalThis as unknown as Record<symbol, { store: { internals: { nodes(): Map<string, { inspect(): { state: string } }> } } }>)[Symbol.for('reality.registry')]
        return registry?.store.internals.nodes().get('k2')?.inspect().state
      })
    await until(async () => (await stateOfK2()) === 'cached', 'k2 to be only cached')
    const k3 = await writeAndCount(page, 'k3', 'svelte alone', ['svelte'])
    expect(k3.fetches).toEqual(['k3'])
    const lastPoll = server.log().filter((entry) => entry.kind === 'sync' && entry.wait > 0).at(-1)
    expect(lastPoll).toMatchObject({ keys: ['k1', 'k3'] })
    expect(pageErrors).toEqual([])
  })

  // Issue 15's targets: 1 sync request before the first data fetch, at most 2
  // until one poll is held for every key. Classic tags at the end of the body
  // run each as soon as its file arrives, so on a loaded machine a bundle can
  // run after the store's first quick check has left; its keys then ride a
  // second quick check before the poll (3 in all).
  const limits: Record<ScriptLoading, number> = { classic: 3, defer: 2, module: 2 }
  for (const loading of ['classic', 'defer', 'module'] as const) {
    it(`page load with ${loading} <script> tags: 1 sync request before the first fetch, at most ${limits[loading]} until one poll holds every key (3 loads)`, async () => {
      const counts: ReturnType<typeof pageLoadCounts>[] = []
      for (let load = 0; load < 3; load++) {
        await openHost(loading)
        counts.push(pageLoadCounts(server.log()))
        await page?.close()
        page = undefined
      }
      console.log(`[page load, ${loading} scripts] sync requests before the first data fetch: ${counts.map((count) => count.beforeFirstFetch).join(', ')}; until one poll is held for all keys: ${counts.map((count) => count.untilHeldForAllKeys).join(', ')}`)
      for (const count of counts) {
        expect(count.beforeFirstFetch).toBe(1)
        expect(count.untilHeldForAllKeys).toBeLessThanOrEqual(limits[loading])
      }
    })
  }
})
