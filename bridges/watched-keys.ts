/**
 * What the TanStack Query and SWR bridges share: a Reality key is watched
 * while at least one of the library's active queries maps to it, through one
 * node whose fetcher refreshes those queries with the library's own refetch.
 * The node labels what that refetch brings with the version it targeted
 * (ARCHITECTURE.md C2), so the refetch must start after the call: each
 * bridge's `refresh` cancels or supersedes a fetch already in flight.
 */
import type { NodeHandle, Store } from '../store/index.js'

/** Refreshes one query of the bridged library: resolves once fresh data has landed, rejects when the refetch failed. */
export type Refresh = () => Promise<unknown>

interface Member {
  refresh: Refresh
  count: number
}

interface WatchedKey {
  /** Per owner (a query cache), per query id (a query hash, a serialized key): its refresh. */
  owners: Map<object, Map<string, Member>>
  stop: () => void
}

// One map per store, shared by every bridge on it: a node outlives its
// bridge (grace, cache), and its fetcher (fixed by whoever created the node)
// must reach the queries that watch the key now, whichever bridge added them.
const watchedByStore = new WeakMap<Store, Map<string, WatchedKey>>()

function refreshAll(store: Store, key: string): Promise<unknown> {
  const members = [...(watchedByStore.get(store)?.get(key)?.owners.values() ?? [])].flatMap((queries) => [...queries.values()])
  // Resolving would label the key "up to date" with nothing refreshed: a
  // query that comes back later would be checked against that version and
  // miss the change. Failing keeps the version held, so it is fetched again.
  if (!members.length) return Promise.reject(new Error(`No active query shows "${key}": its version stays as it was`))
  return Promise.all(members.map((member) => member.refresh()))
}

/**
 * Watches `key` for one query (`owner` + `id`) until the returned function is
 * called; while watched, every version change of `key` calls `refresh` of
 * each query watching it. Watching the same query twice counts twice.
 *
 * @example
 * const stop = watchKey(store, 'todos', queryCache, query.queryHash, () => query.fetch(undefined, { cancelRefetch: true }))
 */
export function watchKey(store: Store, key: string, owner: object, id: string, refresh: Refresh): () => void {
  let watched = watchedByStore.get(store)
  if (!watched) watchedByStore.set(store, (watched = new Map()))
  let entry = watched.get(key)
  if (!entry) {
    const handle: NodeHandle<undefined> = store.node(key, { fetcher: async () => void (await refreshAll(store, key)) })
    entry = { owners: new Map(), stop: handle.listen(() => {}) }
    watched.set(key, entry)
  }
  let queries = entry.owners.get(owner)
  if (!queries) entry.owners.set(owner, (queries = new Map()))
  const member = queries.get(id) ?? { refresh, count: 0 }
  member.count++
  queries.set(id, member)

  let stopped = false
  const current = entry
  return () => {
    if (stopped) return
    stopped = true
    if (--member.count > 0) return
    queries.delete(id)
    if (queries.size === 0) current.owners.delete(owner)
    if (current.owners.size === 0) {
      watched.delete(key)
      current.stop()
    }
  }
}

/**
 * The default mapping from a query key to a Reality key: a string as it is;
 * for an array, its leading string and number parts joined with `:`
 * (`['todos', 42, { page: 2 }]` → `'todos:42'`, like TanStack's prefix
 * matching); anything else is not watched.
 *
 * @example
 * defaultKeyOf(['chat', 'room', 'general']) // 'chat:room:general'
 */
export function defaultKeyOf(queryKey: unknown): string | undefined {
  if (typeof queryKey === 'string') return queryKey || undefined
  if (!Array.isArray(queryKey)) return undefined
  const parts: (string | number)[] = []
  for (const part of queryKey) {
    if (typeof part !== 'string' && typeof part !== 'number') break
    parts.push(part)
  }
  return parts.length ? parts.join(':') : undefined
}
