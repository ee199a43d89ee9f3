/**
 * The tests every framework example shares (registered by each example's own
 * test files, which run in that binding's Vitest project): Vite builds it into
 * an index.html and a script bundle holding the app, and the built app, served
 * by the chat demo server and run in a happy-dom browser, goes live, shows a
 * message posted elsewhere and posts its own.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Browser } from 'happy-dom'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startDemoServer } from './chat/app.js'

/** An example built once before its file's tests; removed (last) after them. */
export interface BuiltExample {
  outDir: string
  /** Run in reverse order after all tests; the build folder's removal runs last. */
  cleanups: (() => unknown)[]
}

/**
 * Builds the example into a fresh temp folder before the file's tests and
 * removes it after them.
 *
 * @example
 * const built = await buildBeforeAll('react-app', buildReactExample)
 */
export async function buildBeforeAll(label: string, build: (outDir: string) => Promise<void>): Promise<BuiltExample> {
  const outDir = await mkdtemp(join(tmpdir(), `reality-${label}-`))
  const cleanups: (() => unknown)[] = [() => rm(outDir, { recursive: true, force: true })]
  beforeAll(() => build(outDir))
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
  })
  return { outDir, cleanups }
}

/** Polls a condition (no fixed sleeps); fails with what it waited for. */
async function until(condition: () => unknown, what: string): Promise<void> {
  const deadline = Date.now() + 15_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * Registers the build test: index.html, one script bundle holding the app,
 * its CSS; `serverOnly` names text of the framework's server build that the
 * (client) bundle must not hold.
 *
 * @example
 * itBuildsTheApp(built, { serverOnly: 'is not available on the server' })
 */
export function itBuildsTheApp({ outDir }: BuiltExample, options: { serverOnly?: string } = {}): void {
  it('builds with Vite: index.html, one script bundle holding the app, its CSS', async () => {
    const html = await readFile(join(outDir, 'index.html'), 'utf8')
    const script = /<script type="module" crossorigin src="\/(assets\/[^"]+\.js)"/.exec(html)?.[1]
    expect(script).toBeDefined()
    const bundle = await readFile(join(outDir, script!), 'utf8')
    expect(bundle).toContain('chat:room:general')
    expect(bundle).toContain('/reality/sync')
    // The client build of the framework, not the server one (which cannot render).
    if (options.serverOnly !== undefined) expect(bundle).not.toContain(options.serverOnly)
    expect((await readdir(join(outDir, 'assets'))).some((file) => file.endsWith('.css'))).toBe(true)
  })
}

/**
 * Registers the browser test: the built app, served by the chat demo server
 * in happy-dom, goes live, shows a message posted elsewhere and posts its own.
 *
 * @example
 * itSyncsInABrowser(await buildBeforeAll('vue-app', buildVueExample))
 */
export function itSyncsInABrowser({ outDir, cleanups }: BuiltExample): void {
  it("syncs with the demo server in a browser: live status, others' messages, its own posts", async () => {
    const browser = new Browser({ settings: { enableJavaScriptEvaluation: true, suppressInsecureJavaScriptEnvironmentWarning: true } })
    cleanups.push(() => browser.close())
    const page = browser.newPage()
    const demo = await startDemoServer({ port: 0, staticDir: outDir })
    // Stopped before the browser closes, so the page sees its server go away
    // (status `reconnecting`) while its document still exists.
    cleanups.push(async () => {
      await demo.close()
      await until(() => page.mainFrame.document.querySelector('.status')?.textContent === 'reconnecting', 'the page to notice')
    })
    await page.goto(demo.url)
    const { document, window } = page.mainFrame
    const texts = () => [...document.querySelectorAll('.message .text')].map((element) => element.textContent)

    await until(() => document.querySelector('.status')?.textContent === 'live', 'the page to go live')
    await until(() => document.querySelector('.empty'), 'the empty room to load')

    await fetch(new URL('/api/messages', demo.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"from another tab"}' })
    await until(() => texts().join() === 'from another tab', "the other tab's message")

    const input = document.querySelector('input')!
    // The prototype's setter, as a user's typing would: frameworks that track
    // the element's own value property (React) then see a change.
    Object.getOwnPropertyDescriptor(window.HTMLInputElement.prototype, 'value')!.set!.call(input, 'from this page')
    input.dispatchEvent(new window.Event('input', { bubbles: true }))
    document.querySelector('form')!.requestSubmit()
    await until(() => texts().join() === 'from another tab,from this page' && !document.querySelector('.message.pending'), 'the posted message to settle')
    const stored = (await (await fetch(new URL('/api/messages', demo.url))).json()) as { text: string }[]
    expect(stored.map((message) => message.text)).toEqual(['from another tab', 'from this page'])
  })
}
