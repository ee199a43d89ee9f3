/**
 * The SSR example's server: `GET /` renders the app with its data
 * (entry-server's `render`, over `embeddedTransport`) into the built
 * index.html with the store's snapshot; the browser bundle, the headline API
 * and the Reality sync endpoint are served beside it.
 */
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ProtocolError } from 'reality/protocol'
import { createRealityServer, type RealityServer } from 'reality/server'
import { toNodeHandler } from 'reality/server/node'
import type { Snapshot } from 'reality'
import { methodNotAllowed, readJsonBody, sendError, sendJson } from '../chat/http-json.js'
import { openStaticFiles } from '../chat/static-files.js'
import { answerFailure, listenExample, sendBody } from '../listen.js'
import { HEADLINE_KEY, SNAPSHOT_ELEMENT_ID, type Headline } from './headline.js'

/** What entry-server.js exports. */
type Render = (server: { reality: RealityServer; loadHeadline: () => Headline }) => Promise<{ html: string; snapshot: Snapshot }>

/**
 * A running SSR server.
 *
 * @example
 * const server = await startSsrServer({ port: 0, buildDir })
 * await server.write('Breaking news') // the open page shows it
 */
export interface SsrServer {
  url: string
  reality: RealityServer
  /** How many times the browser fetched the headline (`GET /api/headline`). */
  fetches(): number
  /** Rewrites the headline as `POST /api/headline` does. */
  write(text: string): Promise<Headline>
  close(): Promise<void>
}

/**
 * The snapshot as a JSON script element. `<` is escaped so no text in the
 * data can close the element (a headline of `</script>` stays text).
 *
 * @example
 * snapshotScript(dehydrate(store)) // '<script type="application/json" id="reality-snapshot">{…}</script>'
 */
export function snapshotScript(snapshot: Snapshot): string {
  return `<script type="application/json" id="${SNAPSHOT_ELEMENT_ID}">${JSON.stringify(snapshot).replace(/</g, '\\u003c')}</script>`
}

/**
 * Starts the server on a built example (see build.ts).
 *
 * @example
 * const server = await startSsrServer({ port: 3006, host: '127.0.0.1', buildDir })
 */
export async function startSsrServer(options: { port: number; host?: string; buildDir: string }): Promise<SsrServer> {
  const { port, host = '127.0.0.1', buildDir } = options
  const template = await readFile(join(buildDir, 'client/index.html'), 'utf8')
  const { render } = (await import(pathToFileURL(join(buildDir, 'server/entry-server.js')).href)) as { render: Render }
  const assets = await openStaticFiles(join(buildDir, 'client'))
  const reality = createRealityServer()
  let headline: Headline = { text: 'Rendered on the server, live in the browser', writes: 0 }
  let fetches = 0

  const write = async (text: string): Promise<Headline> => {
    headline = { text, writes: headline.writes + 1 }
    await reality.invalidate([HEADLINE_KEY])
    return headline
  }
  const sync = toNodeHandler(reality.handler)

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const method = req.method ?? 'GET'
    const route = async () => {
      if (url.pathname === '/reality/sync') return void sync(req, res)
      if (url.pathname === '/api/headline') {
        if (method === 'GET') {
          fetches++
          return sendJson(res, 200, headline)
        }
        if (method !== 'POST') return sendError(res, methodNotAllowed(method, url.pathname, ['GET', 'POST']), { allow: 'GET, POST' })
        const text = ((await readJsonBody(req)) as { text?: unknown } | undefined)?.text
        if (typeof text !== 'string' || text.trim() === '' || text.length > 120) throw new ProtocolError(400, 'invalid_request', 'Send {"text": "..."} with 1 to 120 characters.')
        return sendJson(res, 200, await write(text.trim()))
      }
      if (method !== 'GET') throw new ProtocolError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}; use GET.`)
      if (url.pathname === '/' || url.pathname === '/index.html') {
        const { html, snapshot } = await render({ reality, loadHeadline: () => headline })
        const page = template.replace('<!--app-html-->', html).replace('<!--app-snapshot-->', snapshotScript(snapshot))
        return sendBody(res, 'text/html; charset=utf-8', page)
      }
      const file = await assets.find(url.pathname)
      if (!file) throw new ProtocolError(404, 'not_found', `Nothing at ${url.pathname}.`)
      sendBody(res, file.contentType, file.body)
    }
    route().catch((error: unknown) => answerFailure(res, error, `${method} ${url.pathname}`))
  })

  const listening = await listenExample(server, reality, { port, host })
  return {
    url: listening.url,
    reality,
    fetches: () => fetches,
    write,
    close: listening.close,
  }
}
