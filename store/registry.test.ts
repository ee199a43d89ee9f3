// @vitest-environment happy-dom
import { build } from 'esbuild'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createRealityServer } from '../server/index.js'
import { getSharedStore } from './registry.js'
import { embeddedTransport } from './transports/embedded.js'
import { settle } from './test-helpers.js'
import type { Transport } from './types.js'

const BRAND = Symbol.for('reality.registry')
afterEach(() => {
  ;(globalThis as any)[BRAND]?.store.destroy?.()
  delete (globalThis as any)[BRAND]
})

describe('getSharedStore (ARCHITECTURE.md C5)', () => {
  it('returns one store per page, registered under Symbol.for("reality.registry") with the protocol version and the store API shape', () => {
    const store = getSharedStore({ live: 'events' })
    expect(getSharedStore()).toBe(store)
    expect((globalThis as any)[BRAND]).toMatchObject({ v: 1, api: 4, claims: 1 })
    store.destroy()
    expect((globalThis as any)[BRAND]).toBeUndefined()
    expect(getSharedStore()).not.toBe(store)
  })

  it('a copy that finds an incompatible record (another protocol or store API) gets a private store and one warning, never an exception', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const foreign = { v: 1, store: { sync() {} } } // an older copy: no API shape, no node()
      ;(globalThis as any)[BRAND] = foreign
      const store = getSharedStore({ live: 'events' })
      expect(typeof store.node).toBe('function')
      expect(getSharedStore()).toBe(store)
      expect(warn).toHaveBeenCalledTimes(1)
      expect(String(warn.mock.calls[0]![0])).toMatch(/private store: use one reality version in all bundles/)
      expect((globalThis as any)[BRAND]).toBe(foreign) // left alone
      store.destroy()
      ;(globalThis as any)[BRAND] = { v: 2, api: 4, store: {}, claims: 1 }
      expect(() => getSharedStore().destroy()).not.toThrow()
      expect(warn).toHaveBeenCalledTimes(2)
      // API 2 had store.hydrate()/inspect() and no store.internals (reality/ssr and reality/devtools need it).
      ;(globalThis as any)[BRAND] = { v: 1, api: 2, store: { hydrate() {}, inspect() {} }, claims: 1 }
      const beside = getSharedStore({ live: 'events' })
      expect(typeof beside.internals.nodes).toBe('function')
      expect(warn).toHaveBeenCalledTimes(3)
      beside.destroy()
    } finally {
      warn.mockRestore()
    }
  })

  it('two separately bundled copies of the library share one node per key, one request per tick and one fetch per change', async () => {
    const entry = join(process.cwd(), 'store/index.ts') // vitest runs from the repo root
    const bundle = async (name: string) => {
      const result = await build({ entryPoints: [entry], bundle: true, format: 'iife', globalName: name, write: false, platform: 'browser', logLevel: 'silent' })
      const code = result.outputFiles[0]!.text
      new Function(code + `\nglobalThis.${name} = ${name}`)()
      return (globalThis as any)[name] as typeof import('./index.js')
    }
    const [a, b] = [await bundle('mfeA'), await bundle('mfeB')]
    expect(a.createStore).not.toBe(b.createStore) // two real copies of the library
    expect(a.RealityError).not.toBe(b.RealityError)

    const server = createRealityServer()
    const inner = embeddedTransport(server)
    const requests: string[][] = []
    const transport: Transport = { sync: (request, signal) => (requests.push(Object.keys(request.known)), inner.sync(request, signal)) }
    const storeA = a.getSharedStore({ transport, live: 'events' })
    const storeB = b.getSharedStore()
    expect(storeB).not.toBe(storeA) // each copy has its own view (its own destroy())…
    expect(storeB.status.get).toBe(storeA.status.get) // …of one store

    let db = 'v1'
    const fetches = { a: 0, b: 0 }
    const fromA = storeA.node('room', { fetcher: async () => (fetches.a++, db) })
    const fromB = storeB.node('room', { fetcher: async () => (fetches.b++, db) })
    const shownA: unknown[] = []
    const shownB: unknown[] = []
    fromA.subscribe((s) => shownA.push(s.data))
    fromB.subscribe((s) => shownB.push(s.data))
    storeB.node('other', { fetcher: async () => 'o' }).subscribe(() => {})
    await expect.poll(() => requests.length).toBe(1)
    await settle()
    expect(requests).toEqual([['room', 'other']])
    expect(storeA.debug().nodes).toBe(2)
    await expect.poll(() => fromB.get().data).toBe('v1')
    db = 'v2'
    await server.invalidate('room')
    await storeB.sync()
    await expect.poll(() => fromB.get().data).toBe('v2')
    expect(fetches).toEqual({ a: 2, b: 0 })
    expect(fromA.get()).toBe(fromB.get())
    expect(shownA.at(-1)).toBe('v2')
    // One bundle's destroy() does not stop the handles of another.
    storeA.destroy()
    expect(storeB.status.get()).toBe('live')
    db = 'v3'
    await server.invalidate('room')
    await storeB.sync()
    await expect.poll(() => fromB.get().data).toBe('v3')
    expect(() => storeB.node('more', { fetcher: async () => 1 })).not.toThrow()
    storeB.destroy() // the last claim ends the store
    expect(storeB.debug()).toEqual({ nodes: 0, timers: 0, requests: 0, fetches: 0, hydrated: 0, mutations: 0 })
    expect((globalThis as any)[BRAND]).toBeUndefined()
    await server.close()
  })
})
