import type { SyncRequest, SyncResponse } from '../protocol/types.js'
import { RealityError } from '../store/errors.js'
import { focusManager } from '../store/managers/focus.js'
import { windowEvents } from '../store/managers/manager.js'
import { endpointOf, httpTransport, type HttpTransportOptions } from '../store/transports/http.js'
import type { StoreOptions, Transport } from '../store/types.js'
import { electLeader } from './election.js'
import { fetchOnce, type SharedData } from './fetch-once.js'
import { createLeader, type Answer } from './leader.js'

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
  /** Whether this tab leads, and its requests waiting for the leader's answer. */
  debug(): { leader: boolean; requests: number }
  /** Leaves the group: releases the lead (another tab takes over), closes the channel, restores the focus manager. Destroy the store first. */
  close(): void
}

/** What one tab says to the others. */
type Body =
  /** A tab's sync request, for the leader (every tab sends its own again when a new leader announces itself). */
  | { t: 'sync'; request: SyncRequest }
  | Answer
  /** A tab leads (the fallback election repeats it as its heartbeat). */
  | { t: 'leader' }
  | SharedData
  /** Sent only to come back: see `catchUp` of fetch-once.ts. */
  | { t: 'ping' }

/** Every message carries its sender. */
type Message = Body & { from: string }

const FOCUS_EVENTS = ['visibilitychange', 'focus']

/**
 * One held sync request per browser instead of one per tab. The tabs of an
 * origin that sync with the same endpoint elect a leader (Web Locks, with a
 * `BroadcastChannel` election where locks are missing). Every tab's store
 * sends its requests to the leader over a `BroadcastChannel`; the leader
 * sends ONE request upstream with the union of their keys and broadcasts its
 * answer, which settles every tab's request (see `createLeader`). When the
 * leader's tab closes, the next tab takes over and the others send their
 * requests to it again. A change is fetched once per browser: the first tab
 * to fetch a key broadcasts the data and the others adopt it (with Web Locks).
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
  const name = `reality-tabs:${endpointOf(options)}`
  const id = String(Math.random())
  // Every message goes out through `outbox` and comes back through `inbox`, to
  // this tab as to the others: the leader's own store is served like any
  // tab's, and a sender learns when its message has reached every tab.
  const inbox = new BroadcastChannel(name)
  const outbox = new BroadcastChannel(name)
  /** Who waits for this tab's messages to come back, oldest first (a channel delivers in order). */
  const echoes: (() => void)[] = []
  /** Sends a message to every tab, this one included; resolves once it has come back here (then every tab has been handed it). */
  const post = (body: Body) => {
    outbox.postMessage({ ...body, from: id }) // throws (to the caller) for data that cannot be cloned, or once closed
    return new Promise<void>((resolve) => echoes.push(resolve))
  }
  /** This tab's store's requests waiting for the leader's answer, and how each settles with it. */
  const pending = new Map<SyncRequest, (answer: Answer) => void>()
  const settleAll = (answer: Answer) => {
    pending.forEach((settle) => settle(answer))
    pending.clear()
  }
  let leader: ReturnType<typeof createLeader> | undefined
  let leaderId: string | undefined
  const once = fetchOnce(name, { broadcast: post, catchUp: () => post({ t: 'ping' }) })

  const election = electLeader(name, {
    id,
    lead() {
      leader ??= createLeader(upstream, post)
      post({ t: 'leader' })
    },
    resign() {
      leader?.close()
      leader = undefined
    },
  })

  inbox.onmessage = ({ data: message }: MessageEvent<Message>) => {
    if (message.from === id) echoes.shift()!()
    if (message.t === 'sync') leader?.add(message.request)
    else if (message.t === 'answer') settleAll(message)
    else if (message.t === 'leader') {
      election.heard(message.from)
      // A new leader has none of the requests waiting: send them again.
      if (message.from !== leaderId) {
        leaderId = message.from
        pending.forEach((_, request) => post({ t: 'sync', request }))
      }
    } else if (message.t === 'data' && message.from !== id) once.receive(message)
  }

  focusManager.setEventListener((set) => windowEvents(FOCUS_EVENTS)(() => set(true)))
  focusManager.set(true)

  return {
    transport: {
      sync: (request, signal) =>
        new Promise((resolve, reject) => {
          pending.set(request, ({ response, error }) => (error ? reject(new RealityError(error.code, error.message, error)) : resolve(response!)))
          // Aborted (replaced or stopped): the leader's request out is left to
          // finish; the store usually asks again at once, and stays covered by it.
          signal.addEventListener('abort', () => {
            pending.delete(request)
            reject(signal.reason)
          })
          post({ t: 'sync', request })
        }),
    },
    fetchThrough: once.fetchThrough,
    debug: () => ({ leader: !!leader, requests: pending.size }),
    close() {
      election.stop()
      inbox.close()
      outbox.close()
      echoes.forEach((resolve) => resolve())
      settleAll({ t: 'answer', error: { code: 'destroyed', message: 'Tab sharing closed: create the store again' } })
      focusManager.setEventListener(windowEvents(FOCUS_EVENTS))
      focusManager.set()
    },
  }
}
