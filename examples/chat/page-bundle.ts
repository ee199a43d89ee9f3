/**
 * Builds the chat page in memory when the server starts, so `npm run demo`
 * needs no build step: esbuild bundles `page/main.ts` (with the store) into
 * one script, and the HTML and CSS are read as they are.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/**
 * The three files the built-in page is made of.
 *
 * @example
 * const { html, script, css } = await buildChatPage()
 */
export interface ChatPage {
  html: string
  script: string
  css: string
}

const pageDir = (file: string) => fileURLToPath(new URL(`./page/${file}`, import.meta.url))

/**
 * Bundles the page. Fails with esbuild's own message (file, line) when the
 * page source does not compile.
 *
 * @example
 * const page = await buildChatPage()
 * page.script.length > 0 // true
 */
export async function buildChatPage(): Promise<ChatPage> {
  const [bundle, html, css] = await Promise.all([
    build({
      entryPoints: [pageDir('main.ts')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      sourcemap: 'inline',
      sourcesContent: true,
      logLevel: 'silent',
    }),
    readFile(pageDir('index.html'), 'utf8'),
    readFile(pageDir('style.css'), 'utf8'),
  ])
  const script = bundle.outputFiles[0]?.text
  if (script === undefined) throw new Error('esbuild produced no output for examples/chat/page/main.ts.')
  return { html, script, css }
}
