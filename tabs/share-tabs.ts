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
  /** Whether this tab leads, its requests waiting on the leader, and (when it leads) the tabs' requests it holds and whether its upstream request is out. */
  debug(): { leader: boolean; requests: number; waiting?: number; upstream?: number }
  /** Leaves the group: releases the lead (another tab takes over), closes the channel, restores the focus manager. Destroy the store first. */
  close(): void
}

/** A sync error as it crosses the channel (structured clone drops an Error's own fields). */
interface SentError {
  code: RealityError['code']
  message: string
  status?: number
  retryAfter?: number
}

type Message =
  | { t: 'sync'; from: string; id: number; request: SyncRequest }
  | { t: 'abort'; from: string; id: number }
  | { t: 'answer'; to: string; id: number; response?: SyncResponse; error?: SentError }
  /** A tab took the lead: send it every request again. */
  | { t: 'leader'; from: string }
  /** The fallback election's heartbeat. */
  | { t: 'beat'; from: string }
  | SharedData
  /** Sent through `echo` only to come back: see `catchUp` of fetch-once.ts. */
  | { t: 'ping'; from: string; n: number }

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
 * still syncs at once). Tabs share the leader's headers and cookies. Needs
 * `BroadcastChannel` (every browser since 2022, Node, Deno).
 *
 * @example
 * import { getSharedStore } from 'reality'
 * import { shareTabs } from 'reality/tabs'
 *
 * const store = getSharedStore(shareTabs({ endpoint: '/reality/sync' }))
 */
export function shareTabs(options: ShareTabsOptions = {}): SharedTabs {
  const upstream = options.transport ?? httpTransport(options)
  // Channels and locks are scoped by origin already: the name adds the endpoint.
  const name = `reality-tabs:${options.endpoint ?? '/reality/sync'}`
  const id = Math.random().toString(36).slice(2)
  const channel = new BroadcastChannel(name)
  // Data is broadcast through a second channel object, so it comes back to
  // this tab's `channel` too: then every tab has been handed it (fetch-once.ts).
  const echo = new BroadcastChannel(name)
  const echoes = new Map<number, () => void>()
  const outgoing = new Map<number, Outgoing>()
  let leader: ReturnType<typeof createLeader> | undefined
  let lastId = 0
  const post = (message: Message) => channel.postMessage(message)
  /** Sends a message where it goes: requests to the leader, answers to their tab; this tab's own are handled here. */
  const deliver = (message: Message) => {
    if ('to' in message ? message.to === id : leader) handle(message)
    else post(message)
  }
  const resendAll = () => outgoing.forEach((entry, requestId) => deliver({ t: 'sync', from: id, id: requestId, request: entry.request }))
  /** Sends a message through `echo`; resolves when it comes back to `channel`. */
  const sendAround = (message: SharedData | { t: 'ping' }) =>
    new Promise<void>((resolve) => {
      echoes.set(++lastId, resolve)
      echo.postMessage({ ...message, from: id, n: lastId })
    })
  const once = fetchOnce(name, { broadcast: sendAround, catchUp: () => sendAround({ t: 'ping' }) })

  const election = electLeader(name, {
    id,
    post,
    lead() {
      leader = createLeader(upstream)
      resendAll()
      post({ t: 'leader', from: id })
    },
    resign() {
      leader?.close()
      leader = undefined
    },
  })

  function handle(message: Message) {
    if (message.t === 'sync' && leader) {
      const { from, id: requestId, request } = message
      leader.add(`${from}:${requestId}`, {
        known: request.known,
        until: Date.now() + (request.wait ?? 0),
        resolve: (response) => deliver({ t: 'answer', to: from, id: requestId, response }),
        reject: ({ code, message, status, retryAfter }: RealityError) => deliver({ t: 'answer', to: from, id: requestId, error: { code, message, status, retryAfter } }),
      })
    } else if (message.t === 'abort') leader?.remove(`${message.from}:${message.id}`)
    else if (message.t === 'answer' && message.to === id) {
      const entry = outgoing.get(message.id)
      const error = message.error
      if (error) entry?.reject(new RealityError(error.code, error.message, error))
      else entry?.resolve(message.response!)
    } else if (message.t === 'beat') election.heard(message.from)
    else if (message.t === 'leader') {
      election.heard(message.from)
      // A new leader has none of our requests: send them again.
      if (!leader) resendAll()
    } else if (message.t === 'data' || message.t === 'ping') {
      if (message.from === id) {
        echoes.get(message.n!)?.()
        echoes.delete(message.n!)
      } else if (message.t === 'data') once.receive(message)
    }
  }
  channel.onmessage = ({ data }: MessageEvent<Message>) => handle(data)

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
            deliver({ t: 'abort', from: id, id: requestId })
            reject(signal.reason)
          }
          if (signal.aborted) return reject(signal.reason)
          signal.addEventListener('abort', abort)
          outgoing.set(requestId, {
            request,
            resolve(response) {
              settle()
              resolve(response)
            },
            reject(error) {
              settle()
              reject(error)
            },
          })
          deliver({ t: 'sync', from: id, id: requestId, request })
        }),
    },
    fetchThrough: once.fetchThrough,
    debug: () => ({ leader: !!leader, requests: outgoing.size, ...leader?.debug() }),
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
