/**
 * The devtools panel in Chromium, on a page whose store syncs with a real
 * server: what the panel shows (status, every node, the sync log) is checked
 * against `inspect(store)` and the records `onSync(store)` delivered, as
 * they change; the panel is screenshotted; keys are shown as text; destroy()
 * removes it.
 */
import { writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Browser, Page } from 'playwright-core'
import { createRealityServer, type RealityServer } from 'reality/server'
import { toNodeHandler } from 'reality/server/node'
import type { StoreInspection, SyncRecord } from 'reality/devtools'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeInChromium, launchChromium, until, watchPage } from '../test/browser.js'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/** Bundles the fixture page with the library's sources under their public names. */
async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [here('./fixtures/page.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    alias: { reality: here('../store/index.ts'), 'reality/devtools': here('./index.ts') },
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

/** Serves the page, its items API (`{ key, writes }`) and the sync endpoint. */
async function startServer(script: string): Promise<{ url: string; reality: RealityServer; write(key: string): Promise<void>; close(): Promise<void> }> {
  const reality = createRealityServer()
  const writes = new Map<string, number>()
  const sync = toNodeHandler(reality.handler)
  const html = '<!doctype html><html><head><meta charset="utf-8"><title>devtools</title><link rel="icon" href="data:,"></head><body style="margin:0;background:#f5f6f8"><script type="module" src="/page.js"></script></body></html>'
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (path === '/reality/sync') return void sync(req, res)
    const item = /^\/api\/items\/(.+)$/.exec(path)
    const [type, body] = item
      ? ['application/json', JSON.stringify({ key: decodeURIComponent(item[1]!), writes: writes.get(decodeURIComponent(item[1]!)) ?? 0 })]
      : path === '/page.js'
        ? ['text/javascript', script]
        : ['text/html; charset=utf-8', html]
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' })
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    reality,
    async write(key) {
      writes.set(key, (writes.get(key) ?? 0) + 1)
      await reality.invalidate([key])
    },
    async close() {
      const stopped = new Promise((resolve) => server.close(resolve))
      await reality.close()
      server.closeAllConnections()
      await stopped
    },
  }
}

/** What the panel shows: its status and the cells of each table's rows. */
async function panel(page: Page): Promise<{ status: string; nodes: string[][]; log: string[][] }> {
  return page.evaluate(() => {
    const root = document.querySelector('reality-devtools')!.shadowRoot!
    const cells = (selector: string) => [...root.querySelectorAll(`${selector} tbody tr`)].map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent ?? ''))
    return { status: root.querySelector('.status')!.textContent ?? '', nodes: cells('.nodes'), log: cells('.log') }
  })
}

/** The rows the panel should show for the store's state and records. */
function expectedRows(inspection: StoreInspection, records: SyncRecord[]): { status: string; nodes: string[][]; log: string[][] } {
  return {
    status: inspection.status,
    nodes: inspection.nodes.map((node) => [node.key, node.version === null ? '—' : String(node.version), node.fetching ? `${node.status}, fetching` : node.status, String(node.subscribers), node.state]),
    log: [...records].reverse().map((record) => [String(record.id), record.error ? 'failed' : record.held ? 'held' : 'quick', record.keys.join(', '), record.error ?? (record.changed.join(', ') || '—'), String(Math.round(record.duration))]),
  }
}

/** The panel matches the store (node rows without the last-fetch clock, compared separately). */
async function panelMatchesStore(page: Page): Promise<boolean> {
  const [shown, state] = await Promise.all([panel(page), page.evaluate(() => ({ inspection: (globalThis as any).inspect(), records: (globalThis as any).records }))])
  const expected = expectedRows(state.inspection, state.records)
  return JSON.stringify({ ...shown, nodes: shown.nodes.map((row) => row.slice(0, 5)) }) === JSON.stringify(expected)
}

describeInChromium('reality/devtools in Chromium', () => {
  let server: Awaited<ReturnType<typeof startServer>>
  let browser: Browser
  let page: Page
  const pageErrors: string[] = []

  beforeAll(async () => {
    server = await startServer(await bundlePage())
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 760, height: 420 } })
    watchPage(page, pageErrors)
    await page.goto(server.url)
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('shows the status, every node and the sync log exactly as inspect(store) and onSync(store) report them', async () => {
    await until(() => server.reality.stats().held === 1, 'the store to hold a long-poll')
    await until(() => panelMatchesStore(page), 'the panel to match the store')
    const shown = await panel(page)
    expect(shown.status).toBe('live')
    expect(shown.nodes.map((row) => [row[0], row[2], row[3], row[4]])).toEqual([
      ['todo:1', 'success', '2', 'watched'],
      ['todo:2', 'success', '1', 'watched'],
      ['<b>bold</b>', 'success', '1', 'watched'],
    ])
    // Each node's last fetch, as a clock time.
    for (const row of shown.nodes) expect(row[5]).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/)

    // A change: the held request comes back with it, the key is refetched, all shown.
    const before = (await panel(page)).log.length
    await server.write('todo:2')
    await until(async () => (await panel(page)).log.some((row) => row[1] === 'held' && row[3] === 'todo:2'), 'the answered poll in the log')
    await until(() => server.reality.stats().held === 1, 'the next poll')
    await until(() => panelMatchesStore(page), 'the panel to match the store after the change')
    expect((await panel(page)).log.length).toBeGreaterThan(before)

    // Markup in a key is text: the panel holds no <b> element.
    expect(await page.evaluate(() => document.querySelector('reality-devtools')!.shadowRoot!.querySelectorAll('b').length)).toBe(0)
    const picture = await page.screenshot()
    if (process.env.REALITY_UPDATE_SCREENSHOTS === '1') writeFileSync(here('./screenshot.png'), picture)
    expect(pageErrors).toEqual([])
  })

  it('shows a node leaving its last subscriber as cached after the grace period', async () => {
    await page.evaluate(() => (globalThis as any).unwatch('todo:2'))
    await until(async () => (await panel(page)).nodes.find((row) => row[0] === 'todo:2')?.[4] === 'cached', 'todo:2 to show as cached')
    await until(() => panelMatchesStore(page), 'the panel to match the store')
  })

  it('destroy() removes the panel and stops updating it', async () => {
    await page.evaluate(() => (globalThis as any).devtools.destroy())
    expect(await page.evaluate(() => document.querySelector('reality-devtools'))).toBeNull()
    await server.write('todo:1')
    await until(async () => (await page.evaluate(() => (globalThis as any).records.some((record: SyncRecord) => record.changed.includes('todo:1')))) === true, 'the store to see the change')
    expect(await page.evaluate(() => document.querySelector('reality-devtools'))).toBeNull()
  })
})
