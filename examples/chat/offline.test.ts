/**
 * The demo's offline queue (reality/offline) in Chromium, offline for real
 * (`context.setOffline(true)`): messages sent offline show at once, survive a
 * reload, and reach the server exactly once each, in order, when the browser
 * is back online — also when the response to the first one is lost. The page
 * files are served from memory by a context route (as a service worker
 * would: Playwright's routes still answer with the context offline), so the
 * page reloads while offline; the API and sync requests go to the network
 * and fail as they would.
 */
import type { BrowserContext, Page, Route } from 'playwright-core'
import { expect, it } from 'vitest'
import { describeInChromium, until, watchPage } from '../../test/browser.js'
import type { ChatMessage } from './app.js'
import { demoInChromium } from './demo-in-chromium.test-helper.js'

const PAGE_FILES = ['/', '/main.js', '/style.css']

describeInChromium('chat demo offline (reality/offline)', () => {
  const session = demoInChromium()

  /** A context whose page files load even offline; every POST /api/messages goes through `onPost`. */
  async function offlineCapableContext(onPost: (route: Route, text: string) => Promise<void>): Promise<BrowserContext> {
    const context = await session.browser.newContext()
    const files = new Map<string, { body: string; type: string }>()
    for (const path of PAGE_FILES) {
      const response = await fetch(new URL(path, session.demo.url))
      files.set(path, { body: await response.text(), type: response.headers.get('content-type')! })
    }
    await context.route(
      (url) => PAGE_FILES.includes(url.pathname),
      (route) => {
        const file = files.get(new URL(route.request().url()).pathname)!
        return route.fulfill({ status: 200, contentType: file.type, body: file.body })
      },
    )
    await context.route('**/api/messages', (route) => {
      if (route.request().method() !== 'POST') return route.continue()
      return onPost(route, (route.request().postDataJSON() as { text: string }).text)
    })
    return context
  }

  const texts = (page: Page, selector = '#messages .message .text') => page.locator(selector).allTextContents()
  async function send(page: Page, text: string) {
    await page.fill('#text', text)
    await page.press('#text', 'Enter')
  }
  async function serverTexts(): Promise<string[]> {
    const messages = (await (await fetch(new URL('/api/messages', session.demo.url))).json()) as ChatMessage[]
    return messages.map((message) => message.text)
  }

  /**
   * Records, in the page, what the queue in IndexedDB holds each time the
   * list shows pending messages: a read started in the same task as the
   * display, on a connection of its own, is ordered after any write already
   * started, so it sees a message only if its write began before it showed.
   */
  async function recordQueueWhenShown(page: Page): Promise<() => Promise<{ shown: string[]; queued: string[] }[]>> {
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const opening = indexedDB.open('reality-offline', 1)
          opening.onerror = () => reject(opening.error)
          opening.onsuccess = () => {
            const db = opening.result
            const records: { shown: string[]; queued: string[] }[] = []
            ;(window as unknown as { queueRecords: typeof records }).queueRecords = records
            new MutationObserver(() => {
              const shown = [...document.querySelectorAll('#messages .message.pending .text')].map((element) => element.textContent ?? '')
              const reading = db.transaction('queue').objectStore('queue').getAll()
              reading.onsuccess = () => records.push({ shown, queued: reading.result.map((entry: { args: { text: string } }) => entry.args.text) })
            }).observe(document.querySelector('#messages')!, { childList: true })
            resolve()
          }
        }),
    )
    return () => page.evaluate(() => (window as unknown as { queueRecords: { shown: string[]; queued: string[] }[] }).queueRecords)
  }

  it('messages sent offline are in the queue as soon as they show, survive a reload while offline, and are sent once each when back online', async () => {
    const before = await serverTexts()
    const posts: string[] = []
    const context = await offlineCapableContext(async (route, text) => {
      posts.push(text)
      return route.continue()
    })
    // A second tab: the reloaded one comes back as a follower of its sync (reality/tabs).
    const [page, other] = [await context.newPage(), await context.newPage()]
    for (const tab of [page, other]) {
      await tab.goto(session.demo.url)
      await tab.waitForSelector('#status[data-status="live"]', { timeout: 20_000 })
    }
    await context.setOffline(true)
    await page.waitForSelector('#status[data-status="offline"]', { timeout: 20_000 })
    const queueWhenShown = await recordQueueWhenShown(page)
    for (const text of ['reload 1', 'reload 2', 'reload 3']) await send(page, text)
    await until(async () => (await texts(page, '#messages .message.pending .text')).join() === 'reload 1,reload 2,reload 3', 'the 3 messages shown at once')
    // Shown means queued: a reload at any moment after a message showed finds it.
    let records: { shown: string[]; queued: string[] }[] = []
    await until(async () => (records = await queueWhenShown()).some(({ shown }) => shown.length === 3), 'the read started when the third showed')
    for (const { shown, queued } of records) expect(queued).toEqual(expect.arrayContaining(shown))

    await page.reload() // offline: the page files come from the route, the API and sync requests fail
    await until(async () => (await texts(page, '#messages .message.pending .text')).join() === 'reload 1,reload 2,reload 3', 'the 3 messages shown again after the reload')
    expect(posts).toEqual([])

    await context.setOffline(false)
    const expected = [...before, 'reload 1', 'reload 2', 'reload 3']
    await until(async () => (await serverTexts()).join('\n') === expected.join('\n'), 'the server to have the 3 messages', 20_000)
    for (const tab of [page, other]) {
      await until(async () => (await texts(tab, '#messages .message:not(.pending) .text')).slice(-3).join() === 'reload 1,reload 2,reload 3', 'every tab to show them confirmed', 20_000)
    }
    expect(posts).toEqual(['reload 1', 'reload 2', 'reload 3'])
    await context.close()
  })

  it('3 messages sent offline show at once and reach the server once each, in order, though the first response is lost', async () => {
    const before = await serverTexts()
    const posts: string[] = []
    let dropped = 0
    const context = await offlineCapableContext(async (route, text) => {
      posts.push(text)
      if (text === 'offline 1' && dropped === 0) {
        dropped++
        await route.fetch() // the server applies it…
        return route.abort('failed') // …and the answer is lost on the way back
      }
      return route.continue()
    })
    const errors = watchPage(context)
    const [alice, bob] = [await context.newPage(), await context.newPage()]
    for (const page of [alice, bob]) {
      await page.goto(session.demo.url)
      await page.waitForSelector('#status[data-status="live"]', { timeout: 20_000 })
    }

    await context.setOffline(true)
    await alice.waitForSelector('#status[data-status="offline"]', { timeout: 20_000 })
    for (const text of ['offline 1', 'offline 2', 'offline 3']) await send(alice, text)
    await until(async () => (await texts(alice, '#messages .message.pending .text')).join() === 'offline 1,offline 2,offline 3', 'the 3 messages shown at once')

    expect(posts).toEqual([])

    await context.setOffline(false)
    const expected = [...before, 'offline 1', 'offline 2', 'offline 3']
    await until(async () => (await serverTexts()).join('\n') === expected.join('\n'), 'the server to have the 3 messages', 20_000)
    for (const page of [alice, bob]) {
      await until(async () => (await texts(page, '#messages .message:not(.pending) .text')).slice(-3).join() === 'offline 1,offline 2,offline 3', 'every tab to show them', 20_000)
    }
    console.log(`[offline] POST attempts: ${posts.length} (${posts.join(', ')}); responses dropped: ${dropped}; applied by the server: ${(await serverTexts()).length - before.length}`)
    expect(await serverTexts()).toEqual(expected) // exactly once each, in order
    expect(posts).toEqual(['offline 1', 'offline 1', 'offline 2', 'offline 3']) // the lost answer was replayed with the same key
    // The optimistic layers go once the server's data has landed (C8): after the confirmed messages showed, not with them.
    await until(async () => (await alice.locator('#messages .message.pending').count()) === 0, 'the optimistic messages to go', 20_000)
    await context.close()
    // The browser logs the lost answer and the requests refused while offline; nothing else.
    expect(errors.filter((error) => !/^Failed to load resource: net::ERR_(FAILED|INTERNET_DISCONNECTED)$/.test(error))).toEqual([])
  })

  it('a mutation refused on replay (4xx) is rolled back with its reason; the ones queued after it still run', async () => {
    const before = await serverTexts()
    const context = await offlineCapableContext(async (route, text) => {
      if (text === 'refused') return route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ error: { code: 'forbidden', message: 'Not in this room.' } }) })
      return route.continue()
    })
    const page = await context.newPage()
    await page.goto(session.demo.url)
    await page.waitForSelector('#status[data-status="live"]', { timeout: 20_000 })
    await context.setOffline(true)
    await page.waitForSelector('#status[data-status="offline"]', { timeout: 20_000 })
    for (const text of ['before', 'refused', 'after']) await send(page, text)
    await until(async () => (await texts(page, '#messages .message.pending .text')).length === 3, 'the 3 shown at once')
    await context.setOffline(false)
    await page.waitForSelector('#error:not([hidden])', { timeout: 20_000 })
    expect(await page.textContent('#error')).toBe('Not in this room.')
    await until(async () => (await serverTexts()).join('\n') === [...before, 'before', 'after'].join('\n'), 'the other two applied', 20_000)
    await until(async () => (await texts(page)).slice(-2).join() === 'before,after' && !(await texts(page)).includes('refused'), 'the refused one rolled back')
    await context.close()
  })
})
