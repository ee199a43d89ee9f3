/**
 * Test support for the bridges: a store over the real `httpTransport` to a
 * loopback server whose sync requests are recorded (the keys each carried),
 * and an application "database" read by the queries' own fetch functions.
 */
import { createStore, type Store, type StoreOptions } from '../store/index.js'
import { startLoopbackServer, until, type LoopbackServer } from '../test/loopback.js'
import { inspect } from '../devtools/index.js'

/** A loopback server, a store syncing with it, and every sync request it sent. */
export interface RecordedLoopback {
  server: LoopbackServer
  store: Store
  /** `known` of each sync request, in the order they were sent. */
  syncs: Record<string, number | null>[]
  /** Keys the store watches now (subscribed or in grace; cached nodes are not watched), sorted. */
  watched(): string[]
  close(): Promise<void>
}

/**
 * Starts a loopback server and a store whose sync requests are recorded.
 *
 * @example
 * const { server, store, syncs, close } = await startRecordedLoopback({ grace: 0 })
 */
export async function startRecordedLoopback(storeOptions: StoreOptions = {}): Promise<RecordedLoopback> {
  const server = await startLoopbackServer()
  const syncs: Record<string, number | null>[] = []
  const recordingFetch: typeof fetch = (input, init) => {
    syncs.push(JSON.parse(String(init?.body)).known)
    return fetch(input, init)
  }
  const store = createStore({ endpoint: server.endpoint, fetch: recordingFetch, ...storeOptions })
  return {
    server,
    store,
    syncs,
    watched: () => inspect(store).nodes.filter((node) => node.state === 'watched').map((node) => node.key).sort(),
    async close() {
      store.destroy()
      await until(() => server.reality.stats().held === 0, 'the server to drop the aborted long-poll')
      await server.close()
    },
  }
}

/**
 * A key → value "database" and fetch functions that read it and count their calls.
 *
 * @example
 * const db = fakeDatabase({ 'news:headline': 'first' }); await db.read('news:headline')
 */
export function fakeDatabase(initial: Record<string, string>) {
  const values = new Map(Object.entries(initial))
  const reads = new Map<string, number>()
  return {
    set: (key: string, value: string) => values.set(key, value),
    reads: (key: string) => reads.get(key) ?? 0,
    totalReads: () => [...reads.values()].reduce((sum, count) => sum + count, 0),
    /** Reads now (as a server would), then answers on the next macrotask, like a network round trip. */
    async read(key: string, gate?: Promise<void>): Promise<string> {
      reads.set(key, (reads.get(key) ?? 0) + 1)
      const value = values.get(key) ?? ''
      await (gate ?? new Promise((resolve) => setTimeout(resolve, 1)))
      return value
    },
  }
}
