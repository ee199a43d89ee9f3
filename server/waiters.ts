import type { VersionChange, VersionStore } from './version-store.js'

/**
 * A held request, as the registry sees it.
 *
 * @example
 * const waiter: Waiter = { wake: () => {} }
 */
export interface Waiter {
  /** Called when a watched key changed to a version it does not hold. Must be cheap and must not throw. */
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

/** `null` ("I hold nothing") in a Float64Array of versions. */
const NOTHING = Number.NaN

/**
 * What held requests watch, shared: every held request that watches the
 * same keys at the same versions (the usual case — every client of a page
 * up to date with the same data) shares ONE group, so holding costs O(1)
 * per request instead of O(keys). Keys are interned strings, versions a
 * Float64Array (8 bytes each); the parsed request body is not kept.
 *
 * @example
 * const group = registry.add(hold, ['a'], { a: 3 })
 * group.known() // { a: 3 }, a fresh record for a read
 */
export class WatchGroup {
  /** @internal */
  readonly waiters = new Set<Waiter>()
  constructor(
    /** The watched keys (interned: the registry's own string instances). */
    readonly keys: readonly string[],
    private readonly versions: Float64Array,
    /** @internal Identity of the group in the registry. */
    readonly signature: string,
  ) {}

  /** The version held for the key at `index`, or `null`. */
  versionAt(index: number): number | null {
    const version = this.versions[index]!
    return Number.isNaN(version) ? null : version
  }

  /** The versions the clients hold, as a fresh prototype-free record (for one read; not kept). */
  known(): Record<string, number | null> {
    const record: Record<string, number | null> = Object.create(null)
    this.keys.forEach((key, index) => (record[key] = this.versionAt(index)))
    return record
  }
}

/** The groups watching one key, each with the key's index in the group. */
interface KeyWatch {
  /** The interned key string every group shares. */
  key: string
  groups: Map<WatchGroup, number>
}

/**
 * Index of held requests by key, behind ONE version store subscription per
 * server: taken when the first waiter arrives, released when the last leaves.
 * A change wakes only the waiters of the changed keys that hold another
 * version — O(changed keys × their groups), never a scan of every held request.
 *
 * @example
 * const registry = new WaiterRegistry(store)
 * const group = registry.add(waiter, ['a'], { a: 3 })
 * await registry.subscribed() // no change after this is missed
 * registry.remove(waiter)
 */
export class WaiterRegistry {
  private readonly byKey = new Map<string, KeyWatch>()
  private readonly groups = new Map<string, WatchGroup>()
  private readonly all = new Map<Waiter, WatchGroup>()
  private subscribing: Promise<void> | undefined
  private unsubscribe: (() => void) | undefined

  constructor(private readonly store: VersionStore) {}

  /**
   * Registers `waiter` for `keys` at the versions in `known` and returns its
   * (possibly shared) group. Then await {@link subscribed} before the
   * first read. `keys` must not be empty.
   */
  add(waiter: Waiter, keys: readonly string[], known: Readonly<Record<string, number | null>>): WatchGroup {
    if (this.all.has(waiter)) throw new Error('This waiter is already registered.')
    let signature = ''
    for (const key of keys) {
      const version = known[key]
      // Keys never contain control characters (protocol/limits.ts): \u0000 separates.
      signature += `${key}\u0000${version ?? ''}\u0000`
    }
    let group = this.groups.get(signature)
    if (!group) {
      const versions = new Float64Array(keys.length)
      const interned = keys.map((key, index) => {
        const version = known[key]
        versions[index] = version === null || version === undefined ? NOTHING : version
        let watch = this.byKey.get(key)
        if (!watch) this.byKey.set(key, (watch = { key, groups: new Map() }))
        return watch.key
      })
      group = new WatchGroup(interned, versions, signature)
      interned.forEach((key, index) => this.byKey.get(key)!.groups.set(group!, index))
      this.groups.set(signature, group)
    }
    group.waiters.add(waiter)
    this.all.set(waiter, group)
    return group
  }

  /**
   * Resolves once the store subscription is live, so every change committed
   * after this resolves reaches the registered waiters. Rejects when
   * subscribing fails (the caller removes its waiter).
   */
  subscribed(): Promise<void> {
    if (this.unsubscribe) return Promise.resolve()
    return (this.subscribing ??= this.subscribe())
  }

  /** Unregisters `waiter` (idempotent); the last one out releases the subscription. */
  remove(waiter: Waiter): void {
    const group = this.all.get(waiter)
    if (!group) return
    this.all.delete(waiter)
    group.waiters.delete(waiter)
    if (group.waiters.size === 0) {
      this.groups.delete(group.signature)
      for (const key of group.keys) {
        const watch = this.byKey.get(key)
        if (watch?.groups.delete(group) && watch.groups.size === 0) this.byKey.delete(key)
      }
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
        onGap: () => [...this.all.keys()].forEach((waiter) => waiter.wake()),
      })
      if (this.all.size === 0) unsubscribe() // everyone left while we were subscribing
      else this.unsubscribe = unsubscribe
    } finally {
      this.subscribing = undefined
    }
  }

  private onChanges(changes: readonly VersionChange[]): void {
    for (const change of changes) {
      const watch = this.byKey.get(change.key)
      if (!watch) continue
      for (const [group, index] of watch.groups) {
        if (group.versionAt(index) === change.version) continue
        for (const waiter of group.waiters) waiter.wake()
      }
    }
  }
}
