import { build } from 'esbuild'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { DEFAULT_ENDPOINT, PROTOCOL_VERSION } from '../protocol/limits.js'
import { createRealityServer } from '../server/index.js'

const bundle = async (entry: string) =>
  (await build({ entryPoints: [join(process.cwd(), entry)], bundle: true, format: 'iife', globalName: 'lib', write: false, platform: 'neutral', logLevel: 'silent' })).outputFiles[0]!.text

describe('runs everywhere (must-hold #10)', () => {
  it('loads and syncs in a bare context: no window, document or navigator; only fetch-era globals', async () => {
    const code = await bundle('store/index.ts')
    const server = createRealityServer()
    await server.invalidate('k')
    // Only what Node, Deno, Bun, workers and browsers all have.
    const context: Record<string, unknown> = { Request, Response, Headers, AbortController, DOMException, queueMicrotask, setTimeout, clearTimeout, console, Promise, JSON, Math, Date, Symbol, Object, Array, Map, Set, Error, TypeError, Number }
    context.globalThis = context
    runInNewContext(`${code};globalThis.lib = lib`, context)
    const lib = context.lib as typeof import('./index.js')
    expect(lib.focusManager.get()).toBe(true)
    expect(lib.onlineManager.get()).toBe(true)
    const store = lib.getSharedStore({ transport: lib.embeddedTransport(server) })
    const handle = store.node('k', { fetcher: async () => 'hello' })
    handle.subscribe(() => {})
    await expect.poll(() => handle.get().data).toBe('hello')
    expect(store.status.get()).toBe('live')
    store.destroy()
    expect(store.debug()).toMatchObject({ nodes: 0, timers: 0, requests: 0 })
    await server.close()
  })

  it('keeps zod, the server and signals-core out of the client bundle', async () => {
    const code = await bundle('store/index.ts')
    expect(code).not.toMatch(/zod|ZodError|parseSyncRequest/)
    // The store has its own cell (store/cell.ts); signals-core comes with reality/signals only.
    expect(code).not.toMatch(/signals-core|Cycle detected/)
  })

  it('inlined protocol constants match protocol/limits.ts', async () => {
    const { httpTransport } = await import('./transports/http.js')
    let url = ''
    await httpTransport({ fetch: (async (u: string) => ((url = u), new Response('{"v":1,"changed":{}}'))) as never }).sync({ v: 1, known: {} }, new AbortController().signal)
    expect(url).toBe(DEFAULT_ENDPOINT)
    const { getSharedStore } = await import('./registry.js')
    const store = getSharedStore()
    expect((globalThis as any)[Symbol.for('reality.registry')].v).toBe(PROTOCOL_VERSION)
    store.destroy()
  })
})
