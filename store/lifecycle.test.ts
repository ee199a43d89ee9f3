// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore } from './create-store.js'
import { focusManager } from './managers/focus.js'
import { windowEvents } from './managers/manager.js'
import { onlineManager } from './managers/online.js'
import { deferred, manualTimers, manualTransport, settle } from './test-helpers.js'
import { inspect } from '../devtools/index.js'

// The long-poll loop waits a second after an answer that came back within a
// second (Date.now): a frozen clock makes that deterministic.
beforeEach(() => void vi.useFakeTimers({ toFake: ['Date'] }))
afterEach(() => void vi.useRealTimers())

/** Window listeners attached right now, by event type. */
let attached: Map<string, number>
beforeEach(() => {
  attached = new Map()
  const add = window.addEventListener.bind(window)
  const remove = window.removeEventListener.bind(window)
  vi.spyOn(window, 'addEventListener').mockImplementation((type: string, ...rest: any[]) => {
    attached.set(type, (attached.get(type) ?? 0) + 1)
    return add(type, ...(rest as [any]))
  })
  vi.spyOn(window, 'removeEventListener').mockImplementation((type: string, ...rest: any[]) => {
    attached.set(type, (attached.get(type) ?? 0) - 1)
    return remove(type, ...(rest as [any]))
  })
})
afterEach(() => vi.restoreAllMocks())
const listenerCount = () => [...attached.values()].reduce((a, b) => a + b, 0)

function setup() {
  const t = manualTransport()
  const clock = manualTimers()
  const store = createStore({ transport: t.transport, timers: clock.timers, grace: 1500 })
  return { t, clock, store }
}

describe('lifecycle (ARCHITECTURE.md C6)', () => {
  it('a node is watched from its first subscriber until the grace delay after its last, then cached for cacheTime, then gone', async () => {
    const { t, clock, store } = setup()
    expect(listenerCount()).toBe(0)
    const handle = store.node('k', { fetcher: () => 'v' })
    const stops = [handle.subscribe(() => {}), handle.subscribe(() => {})]
    expect(attached.get('visibilitychange')).toBe(1)
    expect(attached.get('focus')).toBe(1)
    expect(attached.get('online')).toBe(1)
    expect(attached.get('offline')).toBe(1)
    await settle()
    t.last().respond({ k: { version: 1 } })
    await settle()
    await settle()
    const timersWhileWatched = clock.count
    stops[0]!()
    expect(clock.count).toBe(timersWhileWatched)
    stops[1]!()
    expect(clock.delays()).toContain(1500)
    clock.advance(1499)
    expect(inspect(store).nodes).toMatchObject([{ key: 'k', state: 'watched' }])
    const resubscribe = handle.subscribe(() => {}) // back within the grace delay: same node, no new request
    expect(clock.delays()).not.toContain(1500)
    resubscribe()
    clock.advance(1500)
    // Cached: data, version and hash kept, out of `known`, nothing sent, no listener.
    expect(inspect(store).nodes).toMatchObject([{ key: 'k', state: 'cached', version: 1, subscribers: 0 }])
    expect(store.debug()).toEqual({ nodes: 1, timers: 1, requests: 0, fetches: 0, hydrated: 0, mutations: 0 })
    expect(clock.delays()).toEqual([300_000])
    expect(t.open()).toHaveLength(0)
    expect(listenerCount()).toBe(0)
    expect(handle.get()).toMatchObject({ data: 'v', version: 1, isLoading: false })
    clock.advance(300_000)
    expect(store.debug()).toEqual({ nodes: 0, timers: 0, requests: 0, fetches: 0, hydrated: 0, mutations: 0 })
    expect(clock.count).toBe(0)
  })

  it('get() without a subscriber leaves a cached entry, dropped after cacheTime; maxCached bounds them, least recently used first', () => {
    const { clock, store } = setup()
    store.node('k', { fetcher: () => 1 }).get()
    expect(store.debug().nodes).toBe(1)
    clock.advance(1500)
    expect(store.debug().nodes).toBe(1)
    clock.advance(300_000)
    expect(store.debug().nodes).toBe(0)
    expect(clock.count).toBe(0)
    const small = createStore({ transport: manualTransport().transport, timers: clock.timers, maxCached: 2 })
    const handles = ['a', 'b', 'c'].map((key) => small.node(key, { fetcher: () => key }))
    expect(small.debug().nodes).toBe(0) // a handle creates its node when first read or subscribed
    handles.forEach((handle) => handle.get())
    expect(inspect(small).nodes.map((node) => node.key)).toEqual(['b', 'c'])
    handles[1]!.get() // b is now the most recently used
    small.node('d', { fetcher: () => 'd' }).get()
    expect(inspect(small).nodes.map((node) => node.key).sort()).toEqual(['b', 'd'])
    small.destroy()
    expect(clock.count).toBe(0)
  })

  it('destroy() aborts the held request and fetches, clears timers and listeners', async () => {
    const { t, clock, store } = setup()
    const gate = deferred<string>()
    let signal: AbortSignal | undefined
    const a = store.node('a', { fetcher: (_, ctx) => ((signal = ctx.signal), gate.promise) })
    a.subscribe(() => {})
    const b = store.node('b', { fetcher: () => Promise.reject(new Error('down')) })
    b.subscribe(() => {})
    await settle()
    t.last().respond({ a: { version: 1 }, b: { version: 1 } })
    await settle()
    await settle()
    // a is polled with the version its fetch labels; b, backing off, is left out.
    expect(store.debug()).toMatchObject({ nodes: 2, fetches: 1, requests: 1 })
    expect(t.last().request.known).toEqual({ a: 1 })
    store.node('c', { fetcher: () => 1 }).subscribe(() => {})
    await settle()
    expect(store.debug().requests).toBe(1)
    expect(t.last().request.known).toEqual({ a: 1, c: null })
    const held = t.last()
    store.destroy()
    expect(held.signal.aborted).toBe(true)
    expect(signal!.aborted).toBe(true)
    expect(store.debug()).toEqual({ nodes: 0, timers: 0, requests: 0, fetches: 0, hydrated: 0, mutations: 0 })
    expect(clock.count).toBe(0)
    expect(listenerCount()).toBe(0)
    expect(store.status.get()).toBe('idle')
    expect(() => store.node('d', { fetcher: () => 1 })).toThrow(/Store destroyed: create a new one/)
    expect(a.get().version).toBe(null) // handles keep their last state
  })

  it('window events drive the store: visibilitychange hides and shows, online/offline', async () => {
    const { t, store } = setup()
    store.node('k', { fetcher: () => 'v' }).subscribe(() => {})
    await settle()
    t.last().respond({ k: { version: 1 } })
    await settle()
    await settle()
    const held = t.last()
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true })
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }))
    expect(held.signal.aborted).toBe(true)
    expect(store.status.get()).toBe('idle')
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true })
    window.dispatchEvent(new Event('focus'))
    await settle()
    expect(t.open()).toHaveLength(1)
    Object.defineProperty(navigator, 'onLine', { value: false, configurable: true })
    window.dispatchEvent(new Event('offline'))
    expect(store.status.get()).toBe('offline')
    expect(t.open()).toHaveLength(0)
    Object.defineProperty(navigator, 'onLine', { value: true, configurable: true })
    window.dispatchEvent(new Event('online'))
    await settle()
    expect(t.open()).toHaveLength(1)
    store.destroy()
  })
})

describe('managers', () => {
  it('setEventListener swaps the event source (React Native, tests); it is attached only while a store runs', async () => {
    const { clock, store } = setup()
    let attachedSources = 0
    let setFocus: ((value?: boolean) => void) | undefined
    focusManager.setEventListener((set) => {
      attachedSources++
      setFocus = set
      return () => (attachedSources--, (setFocus = undefined))
    })
    try {
      expect(attachedSources).toBe(0)
      const stop = store.node('k', { fetcher: () => 1 }).subscribe(() => {})
      expect(attachedSources).toBe(1)
      expect(attached.get('visibilitychange') ?? 0).toBe(0)
      setFocus!(false)
      expect(focusManager.get()).toBe(false)
      expect(store.status.get()).toBe('idle')
      setFocus!(true)
      stop()
      clock.advance(1500) // cached: the store stops and lets go of its event source
      expect(attachedSources).toBe(0)
    } finally {
      focusManager.setEventListener(windowEvents(['visibilitychange', 'focus']))
      focusManager.set(undefined)
      store.destroy()
    }
  })

  it('no store, no listeners: importing the library touches no window', () => {
    expect(onlineManager.get()).toBe(true)
    expect(listenerCount()).toBe(0)
  })
})
