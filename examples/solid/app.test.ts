// @vitest-environment node
/**
 * The built Solid app, served by the chat demo server and run in a
 * happy-dom browser: it goes live, shows a message posted by someone else,
 * and posts one itself.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Browser } from 'happy-dom'
import { afterAll, expect, it } from 'vitest'
import { startDemoServer } from '../chat/app.js'
import { buildSolidExample } from './build.js'

const outDir = await mkdtemp(join(tmpdir(), 'reality-solid-app-'))
const cleanups: (() => unknown)[] = [() => rm(outDir, { recursive: true, force: true })]
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

async function until(condition: () => unknown, what: string): Promise<void> {
  const deadline = Date.now() + 15_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

it('syncs with the demo server in a browser: live status, others\' messages, its own posts', async () => {
  await buildSolidExample(outDir)
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
  const document = page.mainFrame.document
  const texts = () => [...document.querySelectorAll('.message .text')].map((element) => element.textContent)

  await until(() => document.querySelector('.status')?.textContent === 'live', 'the page to go live')
  await until(() => document.querySelector('.empty'), 'the empty room to load')

  await fetch(new URL('/api/messages', demo.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"from another tab"}' })
  await until(() => texts().join() === 'from another tab', "the other tab's message")

  const input = document.querySelector('input')!
  input.value = 'from this page'
  input.dispatchEvent(new page.mainFrame.window.Event('input', { bubbles: true }))
  document.querySelector('form')!.requestSubmit()
  await until(() => texts().join() === 'from another tab,from this page' && !document.querySelector('.message.pending'), 'the posted message to settle')
  const stored = (await (await fetch(new URL('/api/messages', demo.url))).json()) as { text: string }[]
  expect(stored.map((message) => message.text)).toEqual(['from another tab', 'from this page'])
})
