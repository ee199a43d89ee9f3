import type { ChangeListener, VersionChange } from '../version-store.js'

/** A backend subscription (a Redis SUBSCRIBE, a Postgres LISTEN). */
export interface FanoutSource {
  /**
   * Opens the subscription; resolves once every later change will be
   * delivered. `gap()` says changes may have been missed (a reconnect that
   * the source handled itself); `lost()` says the subscription is dead and
   * must be opened again (the fanout retries with backoff, then calls gap).
   * Resolves to a function that closes it.
   */
  open(deliver: (changes: readonly VersionChange[]) => void, gap: () => void, lost: () => void): Promise<() => Promise<void>>
}

interface Subscription {
  listener: ChangeListener
  onGap: (() => void) | undefined
}

/**
 * Shares ONE backend subscription among the listeners of a networked
 * version store: opened when the first listener arrives, closed when the
 * last one leaves, so an idle server holds no pub/sub connection.
 *
 * @example
 * const fanout = createFanout({ open: async (deliver) => { … return close } })
 * const unsubscribe = await fanout.add((changes) => console.log(changes))
 */
export function createFanout(source: FanoutSource) {
  const subscriptions = new Set<Subscription>()
  let opening: Promise<void> | undefined
  let closeSource: (() => Promise<void>) | undefined
  let retry: ReturnType<typeof setTimeout> | undefined

  const each = (run: (subscription: Subscription) => void) => {
    // A copy: a listener may unsubscribe while we iterate.
    for (const subscription of [...subscriptions]) {
      if (!subscriptions.has(subscription)) continue
      try {
        run(subscription)
      } catch (error) {
        console.error('[reality] a version listener threw', error)
      }
    }
  }
  const deliver = (changes: readonly VersionChange[]) => each((s) => s.listener(changes))
  const gap = () => each((s) => s.onGap?.())

  // The subscription died: listeners re-read now, and it is reopened with
  // backoff while anyone listens (then they re-read once more).
  const lost = () => {
    if (!closeSource) return
    closeSource = undefined
    gap()
    reopen(0)
  }
  function reopen(attempt: number) {
    if (!subscriptions.size || retry) return
    retry = setTimeout(() => {
      retry = undefined
      open().then(gap, () => reopen(attempt + 1))
    }, Math.min(30_000, 250 * 2 ** attempt))
  }

  function closeIfIdle(): Promise<void> {
    if (subscriptions.size) return Promise.resolve()
    clearTimeout(retry)
    retry = undefined
    if (!closeSource) return Promise.resolve()
    const close = closeSource
    closeSource = undefined
    return close().catch(() => {})
  }

  async function open(): Promise<void> {
    if (closeSource) return
    opening ??= source
      .open(deliver, gap, lost)
      .then((close) => {
        closeSource = close
        return closeIfIdle() // everyone left while we were opening
      })
      .finally(() => (opening = undefined))
    await opening
  }

  return {
    /** Adds a listener; resolves (to its unsubscribe) once the backend subscription is live. */
    async add(listener: ChangeListener, onGap?: () => void): Promise<() => void> {
      const subscription: Subscription = { listener, onGap }
      subscriptions.add(subscription)
      try {
        await open()
      } catch (error) {
        subscriptions.delete(subscription)
        throw error
      }
      return () => {
        if (subscriptions.delete(subscription)) void closeIfIdle()
      }
    },
    /** Listeners registered now. */
    size: () => subscriptions.size,
    /** Whether the backend subscription is open. */
    isOpen: () => closeSource !== undefined,
    /** Drops every listener and closes the backend subscription. */
    async close(): Promise<void> {
      subscriptions.clear()
      await opening?.catch(() => {})
      await closeIfIdle()
    },
  }
}

/** Rejects with `message` if `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
