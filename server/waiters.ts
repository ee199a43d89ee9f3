import type { VersionChange, VersionStore } from './version-store.js'

/**
 * A held request, as the registry sees it.
 *
 * @example
 * const waiter: Waiter = { keys: ['a'], known: { a: 3 }, wake: () => {} }
 */
export interface Waiter {
  /** The keys it watches (allowed keys only: denied keys never wake anyone). */
  readonly keys: readonly string[]
  /** The versions the client holds; a change to the same version does not wake it. */
  readonly known: Readonly<Record<string, number | null>>
  /** Called when a watched key changed. Must be cheap and must not throw. */
  wake(): void
}

/**
 * Diagnostics of the registry.
 *
 * @example
 * registry.stats() // { waiters: 0, watchedKeys: 0, subscriptions: 0 }
 */
export interface WaiterStats {
  /** Held requests registered now. */
  waiters: number
  /** Distinct keys watched by them. */
  watchedKeys: number
  /** Version store subscriptions held (0 or 1; 1 while subscribing). */
  subscriptions: number
}

/**
 * Index of held requests by key, behind ONE version store subscription per
 * server: taken when the first waiter arrives, released when the last leaves.
 * A change wakes only the waiters of the changed keys — O(changed keys ×
 * their waiters), never a scan of every held request.
 *
 * @example
 * const registry = new WaiterRegistry(store)
 * await registry.add(waiter) // subscribed: no change after this is missed
 * registry.remove(waiter)
 */
export class WaiterRegistry {
  private readonly byKey = new Map<string, Set<Waiter>>()
  private readonly all = new Set<Waiter>()
  private subscribing: Promise<void> | undefined
  private unsubscribe: (() => void) | undefined

  constructor(private readonly store: VersionStore) {}

  /**
   * Registers `waiter`, then resolves once the store subscription is live,
   * so every change committed after this resolves reaches the waiter.
   * Rejects (with the waiter already removed) when subscribing fails.
   */
  async add(waiter: Waiter): Promise<void> {
    if (this.all.has(waiter)) throw new Error('This waiter is already registered.')
    this.all.add(waiter)
    for (const key of waiter.keys) {
      let waiters = this.byKey.get(key)
      if (!waiters) this.byKey.set(key, (waiters = new Set()))
      waiters.add(waiter)
    }
    if (this.unsubscribe) return
    try {
      await (this.subscribing ??= this.subscribe())
    } catch (error) {
      this.remove(waiter)
      throw error
    }
  }

  /** Unregisters `waiter` (idempotent); the last one out releases the subscription. */
  remove(waiter: Waiter): void {
    if (!this.all.delete(waiter)) return
    for (const key of waiter.keys) {
      const waiters = this.byKey.get(key)
      if (waiters?.delete(waiter) && waiters.size === 0) this.byKey.delete(key)
    }
    if (this.all.size === 0 && this.unsubscribe) {
      const unsubscribe = this.unsubscribe
      this.unsubscribe = undefined
      unsubscribe()
    }
  }

  /** Diagnostics: what is registered and held right now. */
  stats(): WaiterStats {
    return { waiters: this.all.size, watchedKeys: this.byKey.size, subscriptions: this.unsubscribe || this.subscribing ? 1 : 0 }
  }

  private async subscribe(): Promise<void> {
    try {
      const unsubscribe = await this.store.subscribe((changes) => this.onChanges(changes), {
        // Changes may have been missed: every held request re-reads.
        onGap: () => [...this.all].forEach((waiter) => waiter.wake()),
      })
      if (this.all.size === 0) unsubscribe() // everyone left while we were subscribing
      else this.unsubscribe = unsubscribe
    } finally {
      this.subscribing = undefined
    }
  }

  private onChanges(changes: readonly VersionChange[]): void {
    for (const change of changes) {
      const waiters = this.byKey.get(change.key)
      if (!waiters) continue
      for (const waiter of waiters) {
        if (waiter.known[change.key] !== change.version) waiter.wake()
      }
    }
  }
}
