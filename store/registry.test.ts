// @vitest-environment happy-dom
import { build } from 'esbuild'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
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

describe('getSharedStore (invariant 5)', () => {
  it('returns one store per page, registered under Symbol.for("reality.registry") with the protocol version', () => {
    const store = getSharedStore({ live: 'events' })
    expect(getSharedStore()).toBe(store)
    expect((globalThis as any)[BRAND]).toEqual({ v: 1, store })
    store.destroy()
    expect((globalThis as any)[BRAND]).toBeUndefined()
    expect(getSharedStore()).not.toBe(store)
  })

  it('a copy that finds an incompatible record fails loudly and says what to do', () => {
    ;(globalThis as any)[BRAND] = { v: 2, store: {} }
    expect(() => getSharedStore()).toThrow(/speaks protocol v2, not v1: use one reality version in all bundles/)
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
    expect(a.createStore).not.toBe(b.createStore) // two real copies (each with its own signals-core)
    expect(a.RealityError).not.toBe(b.RealityError)

    const server = createRealityServer()
    const inner = embeddedTransport(server)
    const requests: string[][] = []
    const transport: Transport = { sync: (request, signal) => (requests.push(Object.keys(request.known)), inner.sync(request, signal)) }
    const storeA = a.getSharedStore({ transport, live: 'events' })
    const storeB = b.getSharedStore()
    expect(storeB).toBe(storeA)

    let db = 'v1'
    const fetches = { a: 0, b: 0 }
    const fromA = storeA.node('room', { fetcher: async () => (fetches.a++, db) })
    const fromB = storeB.node('room', { fetcher: async () => (fetches.b++, db) })
    const shownA: unknown[] = []
    const shownB: unknown[] = []
    fromA.subscribe((s) => shownA.push(s.data))
    fromB.subscribe((s) => shownB.push(s.data))
    storeB.node('other', { fetcher: async () => 'o' }).subscribe(() => {})
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
    storeA.destroy()
    await server.close()
  })
})
