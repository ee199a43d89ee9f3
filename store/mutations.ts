import type { Node } from './node.js'
import type { MutateOptions, NodeHandle, Updater } from './types.js'

/** What mutations need from their store. */
export interface MutationHost {
  node(key: string): Node | undefined
  /** Syncs `keys` now, past any backoff. */
  sync(keys: string[]): void
  /** The id of the last sync request sent. */
  lastId(): number
}

interface Pending {
  layers: [Node, { u: Updater<any> }][]
  /** Id of the last request sent when the mutation succeeded. */
  seq?: number
  landed?: boolean
}

/**
 * Optimistic mutations (invariant 8). Each mutation puts one layer per key
 * on top of the node's fetched data, in mutation start order, so a refetch
 * while it is pending changes the base but the optimistic value stays on
 * top. On error its layers go at once (rollback) and the error is rethrown
 * as is. On success its keys sync at once, and its layers stay until a
 * request sent after the success has answered for every key and any fetch
 * that answer caused has settled: no flicker back to stale data.
 *
 * Ordering: layers retire in start order. A mutation that landed keeps its
 * layers until every earlier one has landed or failed, so two concurrent
 * mutations of one key never show the older one's value on top of a newer
 * one's (A then B on one title shows B until both have landed, then the
 * server's value).
 *
 * @example
 * const mutations = createMutations(host)
 * await mutations.mutate(['todo:1'], () => api.rename(1, 'x'), { optimistic: [(todo) => ({ ...todo, title: 'x' })] })
 */
export function createMutations(host: MutationHost) {
  let pending: Pending[] = []
  const drop = (m: Pending) =>
    m.layers.forEach(([node, layer]) => (node.layers.value = node.layers.peek().filter((l) => l !== layer)))
  const check = () => {
    for (const m of pending) m.landed ||= m.seq !== undefined && m.layers.every(([node]) => node.gone.peek() || node.landed(m.seq!))
    while (pending[0]?.landed) drop(pending.shift()!)
  }
  return {
    check,
    get size() {
      return pending.length
    },
    clear: () => (pending = []),
    async mutate<const K extends readonly (string | NodeHandle<any>)[], R>(keys: K, fn: () => Promise<R> | R, options?: MutateOptions<K>): Promise<R> {
      const names = keys.map((key) => (typeof key == 'string' ? key : key.key))
      const optimistic: any = options?.optimistic
      const m: Pending = { layers: [] }
      names.forEach((key, i) => {
        const u = Array.isArray(optimistic) ? optimistic[i] : optimistic && Object.hasOwn(optimistic, key) ? optimistic[key] : undefined
        const node = host.node(key)
        if (u && node) {
          const layer = { u }
          m.layers.push([node, layer])
          node.layers.value = [...node.layers.peek(), layer]
        }
      })
      if (m.layers.length) pending.push(m)
      try {
        const result = await fn()
        m.seq = host.lastId()
        return result
      } catch (error) {
        pending = pending.filter((p) => p !== m)
        drop(m)
        throw error
      } finally {
        host.sync(names)
        check()
      }
    },
  }
}
