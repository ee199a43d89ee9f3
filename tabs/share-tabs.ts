import type { SyncRequest, SyncResponse } from '../protocol/types.js'
import { RealityError } from '../store/errors.js'
import { focusManager } from '../store/managers/focus.js'
import { windowEvents } from '../store/managers/manager.js'
import { httpTransport, type HttpTransportOptions } from '../store/transports/http.js'
import type { StoreOptions, Transport } from '../store/types.js'
import { electLeader } from './election.js'
import { fetchOnce, type SharedData } from './fetch-once.js'
import { createLeader } from './leader.js'

/**
 * Options of {@link shareTabs}: where the leader tab syncs.
 *
 * @example
 * const options: ShareTabsOptions = { endpoint: '/reality/sync', credentials: 'include' }
 */
export interface ShareTabsOptions extends HttpTransportOptions {
  /** What the leader tab sends the shared request through. Default: `httpTransport(options)`. */
  transport?: Transport
}

/**
 * Store options that share one sync request per browser (pass the object to
 * `createStore` or `getSharedStore`), and the sharing's own controls.
 *
 * @example
 * const tabs = shareTabs()
 * const store = getSharedStore(tabs)
 * tabs.debug().leader // true in the tab that holds the request
 */
export interface SharedTabs extends Required<Pick<StoreOptions, 'transport' | 'fetchThrough'>> {
  /** Whether this tab leads, requests it has waiting on the leader, and (leader) the tabs' requests it holds and its upstream request. */
  debug(): { leader: boolean; requests: number; waiting: number; upstream: number }
  /** Leaves the group: releases the lead (another tab takes over), closes the channel, restores the focus manager. Destroy the store first. */
  close(): void
}

type Message =
  | { t: 'sync'; from: string; id: number; request: SyncRequest }
  | { t: 'abort'; from: string; id: number }
  | { t: 'answer'; to: string; id: number; response?: SyncResponse; error?: { code: RealityError['code']; message: string; status?: number; retryAfter?: number } }
  | { t: 'leader'; from: string }
  | SharedData

interface Outgoing {
  request: SyncRequest
  resolve(response: SyncResponse): void
  reject(error: unknown): void
}

const FOCUS_EVENTS = ['visibilitychange', 'focus']

/**
 * One held sync request per browser instead of one per tab. The tabs of an
 * origin that sync with the same endpoint elect a leader (Web Locks, with a
 * `BroadcastChannel` election where locks are missing). Every tab's store
 * sends its requests to the leader over a `BroadcastChannel`; the leader
 * sends ONE request upstream with the union of their keys and answers each
 * tab with what changed for it (see `createLeader`). When the leader's tab
 * closes, the next tab takes over and the others re-send their requests to
 * it. A change is fetched once per browser: the first tab to fetch a key
 * broadcasts the data and the others adopt it (with Web Locks).
 *
 * Hidden tabs cost no connection here, so they stay live: the sharing tells
 * the focus manager the page always counts as visible (a tab coming back
 * still syncs at once). Tabs share the leader's headers and cookies.
 * Without `BroadcastChannel` (or outside a browser) it is the plain HTTP
 * transport.
 *
 * @example
 * import { getSharedStore } from 'reality'
 * import { shareTabs } from 'reality/tabs'
 *
 * const store = getSharedStore(shareTabs({ endpoint: '/reality/sync' }))
 */
export function shareTabs(options: ShareTabsOptions = {}): SharedTabs {
  const upstream = options.transport ?? httpTransport(options)
  if (typeof BroadcastChannel != 'function') {
    return { transport: upstream, fetchThrough: (_key, _target, run) => run(), debug: () => ({ leader: true, requests: 0, waiting: 0, upstream: 0 }), close() {} }
  }
  const endpoint = options.endpoint ?? '/reality/sync'
  const page = globalThis.location?.href
  const name = `reality-tabs:${page ? new URL(endpoint, page).href : endpoint}`
  const id = Math.random().toString(36).slice(2)
  const channel = new BroadcastChannel(name)
  const post = (message: Message) => channel.postMessage(message)
  const outgoing = new Map<number, Outgoing>()
  let leader: ReturnType<typeof createLeader> | undefined
  let leaderId: string | undefined
  let lastId = 0
  // Data is broadcast through a second channel object, so it comes back to
  // this tab's `channel` too: then every tab has been handed it (fetch-once.ts).
  const echo = new BroadcastChannel(name)
  const echoes = new Map<number, () => void>()
  let lastEcho = 0
  const once = fetchOnce(
    name,
    (message) =>
      new Promise<void>((resolve) => {
        const n = ++lastEcho
        echo.postMessage({ ...message, from: id, n })
        echoes.set(n, resolve)
      }),
  )

  /** Hands a request to the leader: this tab's own, or over the channel. */
  const send = (requestId: number, entry: Outgoing) => {
    if (leader) leader.add(`${id}:${requestId}`, { known: entry.request.known, until: Date.now() + (entry.request.wait ?? 0), resolve: entry.resolve, reject: entry.reject })
    else post({ t: 'sync', from: id, id: requestId, request: entry.request })
  }
  const resendAll = () => outgoing.forEach((entry, requestId) => send(requestId, entry))

  const election = electLeader(name, {
    id,
    post,
    lead() {
      leader = createLeader(upstream)
      leaderId = id
      resendAll()
      post({ t: 'leader', from: id })
    },
    resign() {
      leader?.close()
      leader = undefined
    },
  })

  channel.onmessage = ({ data }: MessageEvent<Message>) => {
    if (data.t === 'sync' && leader) {
      const to = data.from
      const requestId = data.id
      leader.add(`${to}:${requestId}`, {
        known: data.request.known,
        until: Date.now() + (data.request.wait ?? 0),
        resolve: (response) => post({ t: 'answer', to, id: requestId, response }),
        reject: (error: RealityError) =>
          post({ t: 'answer', to, id: requestId, error: { code: error.code ?? 'sync_failed', message: String(error.message ?? error), status: error.status, retryAfter: error.retryAfter } }),
      })
    } else if (data.t === 'abort') leader?.remove(`${data.from}:${data.id}`)
    else if (data.t === 'answer' && data.to === id) {
      const entry = outgoing.get(data.id)
      const error = data.error
      if (!entry) return
      if (error) entry.reject(new RealityError(error.code, error.message, { status: error.status, retryAfter: error.retryAfter }))
      else entry.resolve(data.response!)
    } else if (data.t === 'leader') {
      election.heard(data.from)
      // A new leader has none of our requests: send them again.
      if (data.from && data.from !== leaderId) {
        leaderId = data.from
        if (!leader) resendAll()
      }
    } else if (data.t === 'data') {
      if (data.from !== id) once.receive(data)
      echoes.get(data.n!)?.()
      echoes.delete(data.n!)
    }
  }

  focusManager.setEventListener((set) => windowEvents(FOCUS_EVENTS)(() => set(true)))
  focusManager.set(true)

  return {
    transport: {
      sync: (request, signal) =>
        new Promise<SyncResponse>((resolve, reject) => {
          const requestId = ++lastId
          const settle = () => {
            outgoing.delete(requestId)
            signal.removeEventListener('abort', abort)
          }
          const abort = () => {
            settle()
            if (leader) leader.remove(`${id}:${requestId}`)
            else post({ t: 'abort', from: id, id: requestId })
            reject(signal.reason)
          }
          if (signal.aborted) return reject(signal.reason)
          const entry: Outgoing = {
            request,
            resolve(response) {
              settle()
              resolve(response)
            },
            reject(error) {
              settle()
              reject(error)
            },
          }
          signal.addEventListener('abort', abort)
          outgoing.set(requestId, entry)
          send(requestId, entry)
        }),
    },
    fetchThrough: once.fetchThrough,
    debug: () => ({ leader: !!leader, requests: outgoing.size, ...(leader ? leader.debug() : { waiting: 0, upstream: 0 }) }),
    close() {
      election.stop()
      leader?.close()
      leader = undefined
      channel.close()
      echo.close()
      echoes.forEach((resolve) => resolve())
      outgoing.forEach((entry) => entry.reject(new RealityError('destroyed', 'Tab sharing closed: create the store again')))
      focusManager.setEventListener(windowEvents(FOCUS_EVENTS))
      focusManager.set()
    },
  }
}
