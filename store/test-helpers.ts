/**
 * Test doubles for the store's injectable parts: a transport the test
 * answers by hand, timers the test advances by hand. Not exported by the
 * package; only tests import this file.
 */
import { afterEach, beforeEach, vi } from 'vitest'
import type { SyncRequest, SyncResponse } from '../protocol/types.js'
import { createStore } from './create-store.js'
import { focusManager } from './managers/focus.js'
import { onlineManager } from './managers/online.js'
import { FIRST_REQUEST_DELAY } from './sync/scheduler.js'
import type { Timers } from './timers.js'
import type { StoreOptions, Transport } from './types.js'

/** One sync request the store sent, waiting for the test to answer it. */
export interface SentRequest {
  request: SyncRequest
  signal: AbortSignal
  respond(changed?: SyncResponse['changed'], denied?: string[]): void
  fail(error: unknown): void
  /** Answered (or failed) by the test. */
  done: boolean
}

/**
 * A transport that records every request and answers only when told.
 *
 * @example
 * const t = manualTransport(); t.last().respond({ a: { version: 1 } })
 */
export function manualTransport() {
  const requests: SentRequest[] = []
  const transport: Transport = {
    sync: (request, signal) =>
      new Promise<SyncResponse>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(new DOMException('The operation was aborted.', 'AbortError')))
        const sent: SentRequest = {
          request,
          signal,
          done: false,
          respond: (changed = {}, denied) => ((sent.done = true), resolve(denied ? { v: 1, changed, denied } : { v: 1, changed })),
          fail: (error) => ((sent.done = true), reject(error)),
        }
        requests.push(sent)
      }),
  }
  return {
    transport,
    requests,
    last: () => requests[requests.length - 1]!,
    /** Requests neither aborted nor answered. */
    open: () => requests.filter((r) => !r.signal.aborted && !r.done),
  }
}

/**
 * Timers the test drives: nothing fires until `advance()` or `runNext()`.
 *
 * @example
 * const clock = manualTimers(); createStore({ timers: clock.timers }); clock.advance(1500)
 */
export function manualTimers() {
  let now = 0
  let nextId = 0
  const pending = new Map<number, { at: number; fn: () => void; ms: number }>()
  const frames = new Map<number, ReturnType<typeof setTimeout>>()
  const timers: Timers = {
    setTimeout(fn, ms) {
      const id = ++nextId
      if (ms === FIRST_REQUEST_DELAY) {
        // The first request's frame runs for real (settle() waits for it),
        // so tests need not advance the clock before every first request.
        const done = new Promise<void>((resolve) => {
          frames.set(id, setTimeout(() => {
            frames.delete(id)
            realFrames.delete(done)
            resolve()
            fn()
          }, ms))
        })
        realFrames.add(done)
        return id
      }
      pending.set(id, { at: now + ms, fn, ms })
      return id
    },
    clearTimeout(id) {
      pending.delete(id as number)
      const frame = frames.get(id as number)
      if (frame) clearTimeout(frame)
      frames.delete(id as number)
    },
  }
  const runDue = () => {
    for (;;) {
      const due = [...pending].filter(([, t]) => t.at <= now).sort((a, b) => a[1].at - b[1].at)[0]
      if (!due) return
      pending.delete(due[0])
      due[1].fn()
    }
  }
  return {
    timers,
    get count() {
      return pending.size
    },
    /** Delays of the pending timers, in ms as requested. */
    delays: () => [...pending.values()].map((t) => t.ms),
    advance(ms: number) {
      now += ms
      runDue()
    },
    /** Jumps to the earliest pending timer and runs it; returns its delay. */
    runNext() {
      const first = [...pending.values()].sort((a, b) => a.at - b.at)[0]
      if (!first) return undefined
      now = first.at
      runDue()
      return first.ms
    },
  }
}

/** First-request frames of manual timers, running for real. */
const realFrames = new Set<Promise<void>>()

/** Lets every queued microtask and promise continuation run (and a store's first-request frame pass). */
export async function settle(): Promise<void> {
  // A frame cancelled before it ran never resolves: wait at most one frame.
  if (realFrames.size) await Promise.race([Promise.all(realFrames), new Promise((resolve) => setTimeout(resolve, 2 * FIRST_REQUEST_DELAY))])
  await new Promise<void>((resolve) => setImmediate(resolve))
}

/** A promise the test resolves by hand. */
export function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

/**
 * For the calling test file: freezes Date around each test and, after each,
 * destroys every store `setup` made and resets the focus/online managers.
 * Returns `setup`, which makes a store on a manual transport and manual timers.
 *
 * @example
 * const setup = useManualStores()
 * const { t, clock, store } = setup({ grace: 100 })
 */
export function useManualStores() {
  // The long-poll loop waits a second after an answer that came back within a
  // second (Date.now): a frozen clock makes that deterministic.
  beforeEach(() => void vi.useFakeTimers({ toFake: ['Date'] }))
  afterEach(() => void vi.useRealTimers())

  const stores: { destroy(): void }[] = []
  afterEach(() => {
    stores.splice(0).forEach((s) => s.destroy())
    focusManager.set(undefined)
    onlineManager.set(undefined)
  })
  return function setup(options: StoreOptions = {}) {
    const t = manualTransport()
    const clock = manualTimers()
    const store = createStore({ transport: t.transport, timers: clock.timers, ...options })
    stores.push(store)
    return { t, clock, store }
  }
}
