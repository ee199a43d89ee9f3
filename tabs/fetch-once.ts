/** Data another tab fetched for a key, labelled with the version its fetch targeted. */
export interface SharedData {
  t: 'data'
  /** The tab that fetched, and its count of broadcasts (so it knows its own when it comes back). */
  from?: string
  n?: number
  key: string
  target: number
  data: unknown
}

/** Data from other tabs kept at most (keys), so keys no tab here fetches cannot pile up. */
const KEEP = 100

/**
 * Fetches a key once per browser (`StoreOptions.fetchThrough`). A fetch takes
 * the Web Lock `name + key`; inside it, data another tab fetched for a target
 * at least as high, not used yet here, is adopted instead of fetching; otherwise
 * the tab's own fetcher runs and its result is broadcast with its target.
 * The lock is released only once the broadcast has come back to this tab
 * (`post` resolves then): the browser has handed it to every tab before the
 * next one waiting for the lock can look for it.
 *
 * Adopting is safe under the version fence (ARCHITECTURE.md C2): that fetch
 * started after its target was reported, so its data is at least that new,
 * and this tab labels it with its own, not higher, target. Without Web
 * Locks every tab fetches for itself.
 *
 * @example
 * const once = fetchOnce('reality-tabs:/reality/sync', (message) => broadcast(message))
 * createStore({ fetchThrough: once.fetchThrough })
 */
export function fetchOnce(name: string, post: (message: SharedData) => Promise<void>) {
  const received = new Map<string, { target: number; data: unknown }>()
  return {
    receive({ key, target, data }: SharedData) {
      const newer = received.get(key)
      if (newer && newer.target > target) return
      if (received.size >= KEEP) received.clear()
      received.set(key, { target, data })
    },
    fetchThrough(key: string, target: number, run: () => Promise<unknown> | unknown): Promise<unknown> {
      const locks = globalThis.navigator?.locks
      if (!locks) return Promise.resolve().then(run)
      return locks.request(name + '\n' + key, async () => {
        const shared = received.get(key)
        if (shared && shared.target >= target) {
          received.delete(key)
          return shared.data
        }
        const data = await run()
        try {
          await post({ t: 'data', key, target, data })
        } catch {
          // Not structured-cloneable (a class instance with methods): other tabs fetch it themselves.
        }
        return data
      })
    },
  }
}
