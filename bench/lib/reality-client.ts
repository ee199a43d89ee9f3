import { createStore, type Store, type StoreOptions } from '../../store/index.js'
import { streamTransport } from '../../stream/index.js'

/** How a bench client hears of changes: a `live` mode of the store, or `'stream'` (the `reality/stream` transport). */
export type BenchLive = StoreOptions['live'] | 'stream'

/**
 * A store for one bench client at `endpoint`, in `live` mode.
 *
 * @example
 * const store = benchStore('http://127.0.0.1:3000/reality/sync', 'stream')
 */
export function benchStore(endpoint: string, live: BenchLive): Store {
  if (live === 'stream') return createStore({ transport: streamTransport({ endpoint }) })
  return createStore({ endpoint, live })
}
