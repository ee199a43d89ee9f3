/** Data another tab fetched for a key, labelled with the version its fetch targeted. */
export interface SharedData {
  t: 'data'
  key: string
  target: number
  data: unknown
}

/** Data from other tabs kept at most (keys), so keys no tab here fetches cannot pile up. */
const KEEP = 100

/** How the tab's channel serves fetch-once (see share-tabs.ts). */
export interface FetchOnceChannel {
  /** Sends data to every other tab; resolves once it has come back to this tab. */
  broadcast(message: SharedData): Promise<void>
  /** Resolves once every message the other tabs sent before this call has reached this tab. */
  catchUp(): Promise<void>
}

/**
 * Fetches a key once per browser (`StoreOptions.fetchThrough`). A fetch takes
 * the Web Lock `name + key`; inside it, data another tab fetched for a target
 * at least as high, not used yet here, is adopted instead of fetching; otherwise
 * the tab's own fetcher runs and its result is broadcast with its target.
 *
 * The lock holder releases the lock only once its broadcast has come back to
 * it: by then the browser has routed the data to every tab. But a lock grant
 * and a channel message travel on different pipes, so the next holder may
 * run before the data is delivered to it (seen in Chromium under load: two
 * fetches for one change). So a holder first catches up with the channel (a
 * message of its own, sent through it and back: every message routed to this
 * tab before it has been delivered), and only then looks for shared data.
 *
 * Adopting is safe under the version fence (ARCHITECTURE.md C2): that fetch
 * started after its target was reported, so its data is at least that new,
 * and this tab labels it with its own, not higher, target. Without Web
 * Locks every tab fetches for itself.
 *
 * @example
 * const once = fetchOnce('reality-tabs:/reality/sync', { broadcast, catchUp })
 * createStore({ fetchThrough: once.fetchThrough })
 */
export function fetchOnce(name: string, channel: FetchOnceChannel) {
  const received = new Map<string, SharedData>()
  return {
    receive(message: SharedData) {
      if (received.size >= KEEP) received.clear()
      received.set(message.key, message)
    },
    fetchThrough(key: string, target: number, run: () => Promise<unknown>): Promise<unknown> {
      const locks = globalThis.navigator?.locks
      if (!locks) return run()
      return locks.request(name + '\n' + key, async () => {
        await channel.catchUp()
        // Data another tab fetched for this target or later, once: it is used up.
        const shared = received.get(key)
        if (shared && shared.target >= target) {
          received.delete(key)
          return shared.data
        }
        const data = await run()
        try {
          await channel.broadcast({ t: 'data', key, target, data })
        } catch {
          // Not structured-cloneable (a class instance with methods): other tabs fetch it themselves.
        }
        return data
      })
    },
  }
}
