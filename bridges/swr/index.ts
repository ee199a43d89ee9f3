/**
 * `reality/swr`: makes an existing SWR app live. A middleware watches the
 * key of every mounted `useSWR` call that maps to a Reality key; when the
 * server reports a new version of it, SWR revalidates that key through the
 * app's own fetcher (`mutate(key)`).
 *
 * @example
 * import { SWRConfig } from 'swr'
 * import { reality } from 'reality/swr'
 * <SWRConfig value={{ use: [reality()] }}><App /></SWRConfig>
 *
 * @packageDocumentation
 */
import { useEffect } from 'react'
import { unstable_serialize, type Cache, type Key, type Middleware, type ScopedMutator } from 'swr'
import { getSharedStore, type Store } from '../../store/index.js'
import { defaultKeyOf, watchKey } from '../watched-keys.js'

/**
 * Options of {@link reality}.
 *
 * @example
 * reality({ keyOf: (key) => (typeof key === 'string' && key.startsWith('/api/rooms/') ? `chat:room:${key.slice(11)}` : undefined) })
 */
export interface RealityMiddlewareOptions {
  /** The store that syncs versions. Default: `getSharedStore()`. */
  store?: Store
  /**
   * The Reality key an SWR key shows, or `undefined` to leave it alone.
   * Default: a string key as it is; for an array key, its leading string and
   * number parts joined with `:` (`['chat', 'room', 7]` → `'chat:room:7'`).
   */
  keyOf?: (key: Key) => string | undefined
}

/** SWR's full configuration, as middleware receive it. */
interface BoundConfig {
  cache: Cache
  mutate: ScopedMutator
}

function resolveKey(key: Key): Key {
  if (typeof key !== 'function') return key
  // A key function with parameters is useSWRInfinite's getKey(index,
  // previousPage), seen here before SWR's infinite middleware: not bridged.
  if (key.length > 0) return null
  try {
    return key()
  } catch {
    return null // SWR's own rule: a key function that throws means "not ready"
  }
}

/**
 * SWR middleware: while a `useSWR` call with a mapped key is mounted, the
 * store watches the key (every mounted key in one sync request per tick);
 * a new version revalidates it with `mutate(key)`, which starts a request
 * after the call and drops answers of requests started before, so what it
 * brings is at least as new as the version (ARCHITECTURE.md C2). A failed
 * revalidation keeps the version held and is retried. The first check of a
 * key the store holds no version for revalidates once, since the data was
 * fetched before any version was read (a write in between would be lost).
 *
 * @example
 * // useSWR('chat:room:general', fetcher) now revalidates on reality.invalidate(['chat:room:general'])
 * <SWRConfig value={{ use: [reality()] }}><App /></SWRConfig>
 */
export function reality(options: RealityMiddlewareOptions = {}): Middleware {
  const keyOf = options.keyOf ?? defaultKeyOf
  return (useSWRNext) => (key, fetcher, config) => {
    const response = useSWRNext(key, fetcher, config)
    const { cache, mutate } = config as unknown as BoundConfig
    const resolved = resolveKey(key)
    const id = resolved === null ? '' : unstable_serialize(resolved)
    const realityKey = id ? keyOf(resolved) : undefined
    useEffect(() => {
      if (realityKey === undefined) return
      return watchKey(options.store ?? getSharedStore(), realityKey, cache, id, async () => {
        await mutate(resolved)
        // SWR keeps a failed revalidation's error in its cache instead of
        // rejecting: rethrow it, so the store keeps the old version and retries.
        const { error } = cache.get(id) ?? {}
        if (error !== undefined) throw error
      })
      // `id` is SWR's serialization of the key: same id, same key.
    }, [realityKey, id, cache, mutate])
    return response
  }
}
