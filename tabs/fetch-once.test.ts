/**
 * fetch-once's ordering rule, with a modelled browser: Web Locks as a FIFO
 * mutex per name, and a channel whose delivery to a tab can lag behind the
 * lock grant (as in Chromium, where they travel on different pipes). The
 * real browser path is in tabs/browser.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fetchOnce, type SharedData } from './fetch-once.js'

/** A Web Locks stand-in: one holder per name, the rest wait in order. */
function fakeLocks() {
  const queues = new Map<string, Promise<unknown>>()
  return {
    request(name: string, callback: () => Promise<unknown>) {
      const previous = queues.get(name) ?? Promise.resolve()
      const result = previous.then(callback, callback)
      queues.set(name, result.catch(() => {}))
      return result
    },
  }
}

/** Two tabs; what tab A broadcasts reaches tab B only when B's inbox is flushed (in order, before B's own catch-up message). */
function twoTabs() {
  const inboxB: SharedData[] = []
  let catchUps = 0
  const tabB = fetchOnce('test', {
    broadcast: async () => {},
    catchUp: async () => {
      catchUps++
      // B's own message comes back after everything routed to B before it.
      inboxB.splice(0).forEach((message) => tabB.receive(message))
    },
  })
  const tabA = fetchOnce('test', {
    broadcast: async (message) => {
      inboxB.push(message)
    },
    catchUp: async () => {},
  })
  return { tabA, tabB, catchUps: () => catchUps }
}

afterEach(() => vi.unstubAllGlobals())

describe('fetchOnce', () => {
  it('a tab that gets the lock before the data reached it catches up with the channel and adopts the data: one fetch', async () => {
    vi.stubGlobal('navigator', { locks: fakeLocks() })
    const { tabA, tabB, catchUps } = twoTabs()
    let fetches = 0
    const run = async () => `data ${++fetches}`
    const [a, b] = await Promise.all([tabA.fetchThrough('k', 2, run), tabB.fetchThrough('k', 2, run)])
    expect([a, b, fetches]).toEqual(['data 1', 'data 1', 1])
    expect(catchUps()).toBe(1)
  })

  it('data fetched for an older version is not adopted: the tab fetches itself', async () => {
    vi.stubGlobal('navigator', { locks: fakeLocks() })
    const { tabA, tabB } = twoTabs()
    let fetches = 0
    const run = async () => `data ${++fetches}`
    await tabA.fetchThrough('k', 1, run)
    expect(await tabB.fetchThrough('k', 2, run)).toBe('data 2')
  })

  it('without Web Locks every tab fetches for itself', async () => {
    vi.stubGlobal('navigator', {})
    const { tabA, tabB } = twoTabs()
    let fetches = 0
    const run = async () => `data ${++fetches}`
    await Promise.all([tabA.fetchThrough('k', 2, run), tabB.fetchThrough('k', 2, run)])
    expect(fetches).toBe(2)
  })
})
