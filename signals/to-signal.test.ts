import { computed, effect } from '@preact/signals-core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startLoopback } from '../test/loopback.js'
import { createStore } from '../store/create-store.js'
import { manualTimers, manualTransport, settle } from '../store/test-helpers.js'
import { toSignal } from './index.js'

beforeEach(() => void vi.useFakeTimers({ toFake: ['Date'] }))
afterEach(() => void vi.useRealTimers())

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function setup() {
  const t = manualTransport()
  const clock = manualTimers()
  const store = createStore({ transport: t.transport, timers: clock.timers, grace: 0, cacheTime: 0 })
  cleanups.push(() => store.destroy())
  return { t, clock, store }
}

describe('toSignal (reality/signals)', () => {
  it('an effect over a handle watches its node like a subscriber, and stops watching when disposed', async () => {
    const { t, clock, store } = setup()
    const signal = toSignal(store.node('k', { fetcher: () => 'v' }))
    const seen: unknown[] = []
    const dispose = effect(() => void seen.push(signal.value.data))
    await settle()
    expect(t.requests).toHaveLength(1)
    expect(t.last().request.known).toEqual({ k: null })
    t.last().respond({ k: { version: 1 } })
    await settle()
    expect(seen.at(-1)).toBe('v')
    expect(store.internals.nodes().get('k')!.inspect().subscribers).toBe(1)
    dispose()
    clock.advance(0)
    expect(store.internals.nodes().get('k')?.inspect().state ?? 'gone').not.toBe('watched')
  })

  it('a read while nothing watches it reads the handle afresh', async () => {
    const { t, store } = setup()
    const handle = store.node('k', { fetcher: () => 'v' })
    const signal = toSignal(handle)
    expect(signal.value.data).toBe(undefined)
    const stop = handle.subscribe(() => {})
    await settle()
    t.last().respond({ k: { version: 1 } })
    await settle()
    // Never watched itself, yet not stale.
    expect(signal.value.data).toBe('v')
    expect(signal.peek().version).toBe(1)
    stop()
  })

  it('works as an input of a signals-core computed', async () => {
    const { t, store } = setup()
    const signal = toSignal(store.node('k', { fetcher: () => 'v' }))
    const shown = computed(() => signal.value.data ?? '…')
    const seen: string[] = []
    const dispose = effect(() => void seen.push(shown.value))
    await settle()
    t.last().respond({ k: { version: 1 } })
    await settle()
    expect(seen).toEqual(['…', 'v'])
    dispose()
  })

  it('store.status as a signal follows the connection over real HTTP', async () => {
    vi.useRealTimers()
    const { reality, store, close } = await startLoopback({ grace: 0 })
    cleanups.push(close)
    const status = toSignal(store.status)
    const room = toSignal(store.node('room', { fetcher: async () => (await reality.getVersions(['room'])).room }))
    const statuses: string[] = []
    const data: unknown[] = []
    const dispose = effect(() => {
      statuses.push(status.value)
      data.push(room.value.data)
    })
    cleanups.push(dispose)
    await vi.waitFor(() => expect(status.value).toBe('live'))
    const [version] = Object.values(await reality.invalidate(['room']))
    await vi.waitFor(() => expect(data.at(-1)).toBe(version))
    expect(statuses[0]).toBe('idle')
    expect(statuses).toContain('live')
  })
})
