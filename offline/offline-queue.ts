import { onlineManager } from '../store/managers/online.js'
import { backoffDelay } from '../store/sync/retry-policy.js'
import type { Store, Updater } from '../store/types.js'
import { idbQueue, type QueuedMutation } from './idb-queue.js'

/**
 * What a queued mutation's `run` gets besides its arguments.
 *
 * @example
 * run: (args, { idempotencyKey }) => fetch('/api/messages', { method: 'POST', headers: { 'idempotency-key': idempotencyKey }, body: JSON.stringify(args) })
 */
export interface MutationContext {
  /** The same on every attempt of this mutation: send it, and let the server apply it once (`idempotentWrites` of `reality/server`). */
  idempotencyKey: string
}

/**
 * A mutation by name, with serialisable arguments (see {@link defineMutation}).
 *
 * @example
 * const send: MutationDefinition<{ text: string }> = defineMutation('chat.send', { keys: ['chat:room:general'], run })
 */
export interface MutationDefinition<A> {
  name: string
  /** The keys it writes: synced once it has been applied. */
  keys: string[]
  /**
   * Sends it. Return the `fetch` Response, or throw an error with the HTTP
   * `status` (your API client's): a 4xx rejects it (rolled back, a
   * {@link MutationRejectedError}); a 5xx, 408 or 429 keeps it queued, and so
   * does any other throw (network error, offline). Anything else applies it.
   */
  run(args: A, context: MutationContext): Promise<Response | unknown>
  /** Optimistic values by key, shown until it has been applied or rejected (also after a reload). */
  optimistic?(args: A): Record<string, Updater<any>>
}

/**
 * Defines a mutation that can wait in the queue while offline.
 *
 * @example
 * const send = defineMutation('chat.send', {
 *   keys: ['chat:room:general'],
 *   run: ({ text }: { text: string }, { idempotencyKey }) =>
 *     fetch('/api/messages', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey }, body: JSON.stringify({ text }) }),
 *   optimistic: ({ text }) => ({ 'chat:room:general': (list: Message[] = []) => [...list, { id: -1, text, at: Date.now() }] }),
 * })
 */
export function defineMutation<A>(name: string, definition: Omit<MutationDefinition<A>, 'name'>): MutationDefinition<A> {
  return { name, ...definition }
}

/**
 * The server refused a queued mutation (a 4xx): its optimistic values were
 * rolled back; the mutations queued after it still run.
 *
 * @example
 * queue.mutate(send, { text }).catch((error) => error instanceof MutationRejectedError && showError(error.message))
 */
export class MutationRejectedError extends Error {
  override name = 'MutationRejectedError'
  constructor(
    /** The mutation's name. */
    readonly mutation: string,
    readonly args: unknown,
    /** The HTTP status of the refusal. */
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Options of {@link offlineQueue}.
 *
 * @example
 * offlineQueue(store, [send], { onRejected: (error) => toast(error.message) })
 */
export interface OfflineQueueOptions {
  /** IndexedDB database, Web Lock and channel name. Default `reality-offline`. */
  name?: string
  /** Rejections of mutations restored from the queue after a reload (for the others, `mutate()` rejects). */
  onRejected?(error: MutationRejectedError): void
}

/**
 * The queue (see {@link offlineQueue}).
 *
 * @example
 * await queue.mutate(send, { text: 'hi' }) // resolves once the server applied it
 */
export interface OfflineQueue {
  /** Queues a mutation (persisted), shows it at once, runs it when online; resolves once applied, rejects when refused. */
  mutate<A>(mutation: MutationDefinition<A>, args: A): Promise<void>
  /** Mutations shown and not yet settled, and pending retry timers. */
  debug(): { pending: number; timers: number }
  /** Stops replaying in this tab (the queue stays in IndexedDB). */
  close(): void
}

type Settled = { id: string; error?: { mutation: string; args: unknown; status: number; message: string } }

/**
 * Mutations that survive going offline and reloads. Each `mutate()` is
 * appended to an IndexedDB queue and shown at once through `store.mutate`
 * (the optimistic values stay until it is applied, ARCHITECTURE.md C8). The
 * queue runs in order, one mutation at a time, while online; a network error
 * or a 5xx keeps a mutation at the head and retries with backoff (at once
 * when the browser comes back online). Every attempt carries the same
 * idempotency key, so a replay after a lost response is applied once by a
 * server using `idempotentWrites`. A 4xx rolls that mutation back and the
 * queue goes on. Across tabs the queue is run by one tab at a time (a Web
 * Lock); settlements are broadcast so every tab showing a mutation settles
 * it. After a reload, queued mutations are shown again and replayed (a key
 * the app reads only later gets its layer when its node is created).
 *
 * @example
 * const store = getSharedStore()
 * const room = store.node('chat:room:general', { fetcher })
 * const queue = offlineQueue(store, [send])
 * queue.mutate(send, { text: 'sent even offline' })
 */
export function offlineQueue(store: Store, mutations: MutationDefinition<any>[], options: OfflineQueueOptions = {}): OfflineQueue {
  const name = options.name ?? 'reality-offline'
  const queue = idbQueue(name)
  const byName = new Map(mutations.map((mutation) => [mutation.name, mutation]))
  const shown = new Map<string, { resolve(): void; reject(error: unknown): void }>()
  const channel = typeof BroadcastChannel == 'function' ? new BroadcastChannel(name) : undefined
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let attempt = 0
  let draining = false
  let again = false
  let closed = false

  const settle = ({ id, error }: Settled) => {
    const waiting = shown.get(id)
    shown.delete(id)
    if (error) waiting?.reject(new MutationRejectedError(error.mutation, error.args, error.status, error.message))
    else waiting?.resolve()
  }
  if (channel) channel.onmessage = ({ data }: MessageEvent<Settled>) => settle(data)

  /** Shows a queued mutation's optimistic values until it settles. */
  const show = (entry: QueuedMutation) => {
    const mutation = byName.get(entry.name)
    const done = new Promise<void>((resolve, reject) => shown.set(entry.id, { resolve, reject }))
    if (mutation) store.mutate(mutation.keys, () => done, { optimistic: mutation.optimistic?.(entry.args) }).catch(() => {}) // the caller hears it through `done`
    return done
  }

  const retryLater = () => {
    clearTimeout(retryTimer)
    retryTimer = setTimeout(() => {
      retryTimer = undefined
      drain()
    }, backoffDelay(++attempt))
  }

  /** Runs the queue from its head until it is empty or a mutation must wait. */
  const runQueue = async () => {
    for (;;) {
      const [entry] = await queue.all()
      if (!entry || closed) return
      const mutation = byName.get(entry.name)
      // Queued by a page that defines it (another version of the app?): left for a tab that does.
      if (!mutation) return
      let refusal: { status: number; message: string } | undefined
      try {
        const response = await mutation.run(entry.args, { idempotencyKey: entry.id })
        if (response instanceof Response && !response.ok) {
          const body = await response.json().catch(() => undefined)
          refusal = { status: response.status, message: body?.error?.message ?? `${entry.name} was refused (${response.status})` }
        }
      } catch (thrown: any) {
        refusal = { status: thrown?.status ?? 0, message: String(thrown?.message ?? thrown) }
      }
      let error: Settled['error']
      if (refusal) {
        const { status, message } = refusal
        // Network errors, 5xx, 408, 429: it stays at the head and is tried again.
        if (!(status > 399 && status < 500) || status === 408 || status === 429) return retryLater()
        error = { mutation: entry.name, args: entry.args, status, message }
      }
      attempt = 0
      await queue.remove(entry.seq!)
      const settled: Settled = { id: entry.id, error }
      channel?.postMessage(settled)
      settle(settled)
    }
  }

  function drain() {
    if (closed || !onlineManager.get()) return
    if (draining) {
      again = true
      return
    }
    draining = true
    again = false
    const locks = globalThis.navigator?.locks
    const running = locks ? locks.request(name, runQueue) : runQueue()
    running
      .catch(retryLater)
      .finally(() => {
        draining = false
        if (again) drain()
      })
  }

  const stopListening = onlineManager.subscribe((online) => {
    if (online) drain()
  })
  // After a reload: show what is still queued, and replay it.
  queue.all().then((entries) => {
    for (const entry of entries) if (!shown.has(entry.id)) show(entry).catch((error) => options.onRejected?.(error))
    drain()
  }, retryLater)

  return {
    mutate(mutation, args) {
      byName.set(mutation.name, mutation)
      const entry: QueuedMutation = { id: globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`, name: mutation.name, args }
      const done = show(entry)
      queue.add(entry).then(drain, (error) => shown.get(entry.id)?.reject(error))
      return done
    },
    debug: () => ({ pending: shown.size, timers: retryTimer ? 1 : 0 }),
    close() {
      closed = true
      clearTimeout(retryTimer)
      retryTimer = undefined
      stopListening()
      channel?.close()
      queue.close()
    },
  }
}
