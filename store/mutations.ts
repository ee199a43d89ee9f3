import type { Node } from './node/node.js'
import type { MutateOptions, NodeHandle, Updater } from './types.js'

/** What mutations need from their store. */
export interface MutationHost {
  node(key: string): Node | undefined
  /** Cuts the fetch backoff of `keys` short. */
  retry(keys: string[]): void
  /** A quick (not held) sync request; resolves once its answer was applied. */
  sync(): Promise<void>
}

interface Pending {
  removeLayers: (() => void)[]
  landed: boolean
}

/** A pending mutation's layer for a key that had no node when it started; `remove` once it is on the node. */
interface DeferredLayer {
  update: Updater<unknown>
  remove?: () => void
}

/**
 * Optimistic mutations (ARCHITECTURE.md C8). Each mutation puts one layer
 * per key on top of the node's fetched data, in mutation start order, so a
 * refetch while it is pending changes the base but the optimistic value
 * stays on top. On error its layers go at once (rollback) and the error is
 * rethrown as is.
 *
 * "Landed", in one place (`land()`): once the mutation settled, its keys'
 * fetches in flight settle (they may have started before the write), then a
 * quick sync request is answered for every watched key, then the fetches
 * that answer started settle. Only then is the server's data for the write
 * on screen and the layers go; no inference from request ids, no timer.
 * If that sync fails, the layers go with it (the node shows its status).
 *
 * Ordering: layers retire in start order. A mutation that landed keeps its
 * layers until every earlier one has landed or failed, so two concurrent
 * mutations of one key never show the older one's value on top of a newer
 * one's.
 *
 * A key with no node yet (`reality/offline` restores its queue right after
 * a reload, before the app has read anything) keeps its layers here, in
 * start order, until the store creates the node (`adopt`).
 *
 * @example
 * const mutations = createMutations(host)
 * await mutations.mutate(['todo:1'], () => api.rename(1, 'x'), { optimistic: [(todo) => ({ ...todo, title: 'x' })] })
 */
export function createMutations(host: MutationHost) {
  let pending: Pending[] = []
  const deferred = new Map<string, DeferredLayer[]>()

  /** Keeps a layer for a key without a node; returns what removes it, wherever it is by then. */
  function defer(key: string, update: Updater<unknown>): () => void {
    const layer: DeferredLayer = { update }
    const layers = deferred.get(key) ?? []
    deferred.set(key, layers)
    layers.push(layer)
    return () => {
      if (layer.remove) return layer.remove()
      layers.splice(layers.indexOf(layer), 1)
      if (!layers.length) deferred.delete(key)
    }
  }

  function retireLanded() {
    while (pending[0]?.landed) pending.shift()!.removeLayers.forEach((remove) => remove())
  }

  async function land(keys: string[]) {
    // The nodes as they are now: one may have been created while the mutation ran.
    const nodes = keys.map((key) => host.node(key)).filter((node) => node !== undefined)
    await Promise.all(nodes.map((node) => node.whenIdle()))
    try {
      await host.sync()
    } catch {
      // The sync failed: the status says so, and the layers go below.
    }
    await Promise.all(nodes.map((node) => node.whenIdle()))
  }

  return {
    get size() {
      return pending.length
    },
    clear() {
      pending = []
      deferred.clear()
    },
    /** The store created `node`: the layers of pending mutations waiting for its key go on it, in start order. */
    adopt(node: Node) {
      const layers = deferred.get(node.key)
      if (!layers) return
      deferred.delete(node.key)
      for (const layer of layers) layer.remove = node.addLayer(layer.update)
    },
    async mutate<const K extends readonly (string | NodeHandle<any>)[], R>(keys: K, fn: () => Promise<R> | R, options?: MutateOptions<K>): Promise<R> {
      const names = keys.map((key) => (typeof key === 'string' ? key : key.key))
      const optimistic: any = options?.optimistic
      const mutation: Pending = { removeLayers: [], landed: false }
      names.forEach((key, index) => {
        const node = host.node(key)
        let update: Updater<unknown> | undefined
        if (Array.isArray(optimistic)) update = optimistic[index]
        else if (optimistic && Object.hasOwn(optimistic, key)) update = optimistic[key]
        if (update) mutation.removeLayers.push(node ? node.addLayer(update) : defer(key, update))
      })
      if (mutation.removeLayers.length) pending.push(mutation)
      let succeeded = false
      try {
        const result = await fn()
        succeeded = true
        return result
      } catch (error) {
        pending = pending.filter((other) => other !== mutation)
        mutation.removeLayers.forEach((remove) => remove())
        throw error
      } finally {
        host.retry(names)
        const landing = land(names)
        if (succeeded) {
          void landing.then(() => {
            mutation.landed = true
            retireLanded()
          })
        }
      }
    },
  }
}
