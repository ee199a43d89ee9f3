/**
 * Re-arming the poll after a change, over the real `httpTransport` and a
 * loopback Reality server (ARCHITECTURE.md C1, C2): a change of N keys costs
 * one new sync request however long the N fetches take, and a write that
 * lands while a key's fetch runs neither storms nor is lost.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startLoopbackServer, until } from '../../test/loopback.js'
import { createStore } from '../create-store.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function setup() {
  const server = await startLoopbackServer()
  cleanups.push(() => server.close())
  const sent: { known: Record<string, number | null>; held: boolean }[] = []
  const fetch = (async (url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body))
    sent.push({ known: body.known, held: !!body.wait })
    return globalThis.fetch(url, init)
  }) as typeof globalThis.fetch
  const store = createStore({ endpoint: server.endpoint, fetch })
  cleanups.push(() => store.destroy())
  return { server, store, sent }
}

describe('re-arming the poll after a change (real HTTP)', () => {
  it('a change of 100 keys whose fetches take 20 to 600 ms costs one new sync request, which holds every key', async () => {
    const { server, store, sent } = await setup()
    const keys = Array.from({ length: 100 }, (_, i) => `k:${i}`)
    const handles = keys.map((key, i) => store.node(key, { fetcher: async () => (await sleep(i % 2 ? 600 : 20), (await server.reality.getVersions([key]))[key]) }))
    for (const handle of handles) handle.subscribe(() => {})
    await until(() => handles.every((handle) => handle.get().version !== null) && sent.at(-1)?.held, 'every key loaded and a poll held')
    await sleep(100)
    const before = sent.length
    const versions = await server.reality.invalidate(keys)
    await until(() => handles.every((handle) => handle.get().data === versions[handle.key]), 'every key fetched anew', 15_000)
    await sleep(300) // anything the settled fetches would send
    const after = sent.slice(before)
    expect(after).toHaveLength(1)
    expect(after[0]!.held).toBe(true)
    expect(Object.keys(after[0]!.known)).toHaveLength(100)
    expect(after[0]!.known).toEqual(versions)
  })

  it('1,000 keys held as two requests of 500: a change of every key re-arms both once, not once per part that answered', async () => {
    const { server, store, sent } = await setup()
    const keys = Array.from({ length: 1000 }, (_, i) => `item:${i}`)
    const handles = keys.map((key) => store.node(key, { fetcher: async () => (await server.reality.getVersions([key]))[key] }))
    for (const handle of handles) handle.subscribe(() => {})
    await until(() => handles.every((handle) => handle.get().version !== null) && sent.slice(-2).every((request) => request.held), 'every key loaded and both parts held')
    await sleep(100)
    const before = sent.length
    const versions = await server.reality.invalidate(keys)
    await until(() => handles.every((handle) => handle.get().data === versions[handle.key]), 'every key fetched anew', 15_000)
    await sleep(300)
    const after = sent.slice(before)
    expect(after.map((request) => Object.keys(request.known).length)).toEqual([500, 500])
    expect(after.every((request) => request.held)).toBe(true)
  })

  it('a write while the fetch of the previous one runs: no request storm, and the last write is held', async () => {
    const { server, store, sent } = await setup()
    let fetches = 0
    const room = store.node('room', {
      fetcher: async () => {
        fetches++
        const version = (await server.reality.getVersions(['room'])).room
        await sleep(400) // the data read, slow to come back
        return version
      },
    })
    room.subscribe(() => {})
    await until(() => room.get().version !== null && sent.at(-1)?.held, 'loaded and a poll held')
    const before = sent.length
    await server.reality.invalidate(['room'])
    await sleep(100) // its fetch runs
    const last = (await server.reality.invalidate(['room'])).room
    await until(() => room.get().data === last, 'the last write on screen', 10_000)
    await sleep(300)
    // The answer to the first write, the poll re-armed, the answer to the second, the poll re-armed:
    // without leaving the overtaken key out, its stale label is answered at once, thousands of times.
    expect(sent.length - before).toBeLessThanOrEqual(5)
    expect(fetches).toBeLessThanOrEqual(4)
  })
})
