/** A queued mutation as IndexedDB keeps it: serialisable only. */
export interface QueuedMutation {
  /** Position in the queue (IndexedDB auto-increment: the order of `mutate()` calls across tabs). */
  seq?: number
  /** The idempotency key, sent with every attempt. */
  id: string
  /** The mutation's name (`defineMutation(name, …)`). */
  name: string
  args: unknown
}

/**
 * The queue's storage: one IndexedDB object store, in order. Every call opens
 * the database and closes it when its transaction is done, so nothing stays
 * open between mutations (and a tab never blocks another's upgrade).
 *
 * @example
 * const queue = idbQueue('reality-offline')
 * await queue.add({ id: crypto.randomUUID(), name: 'chat.send', args: { text: 'hi' } })
 * await queue.all() // [{ seq: 1, id: '…', name: 'chat.send', args: { text: 'hi' } }]
 */
export function idbQueue(name: string) {
  const run = <T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest): Promise<T> =>
    new Promise((resolve, reject) => {
      const opening = indexedDB.open(name, 1)
      opening.onupgradeneeded = () => opening.result.createObjectStore('queue', { keyPath: 'seq', autoIncrement: true })
      opening.onerror = () => reject(opening.error)
      opening.onsuccess = () => {
        const db = opening.result
        const transaction = db.transaction('queue', mode)
        const request = use(transaction.objectStore('queue'))
        transaction.oncomplete = () => {
          db.close()
          resolve(request.result)
        }
        transaction.onerror = transaction.onabort = () => {
          db.close()
          reject(transaction.error)
        }
      }
    })
  return {
    /** Appends a mutation; resolves with its `seq`. */
    add: (entry: QueuedMutation) => run<number>('readwrite', (store) => store.add(entry)),
    /** Every queued mutation, oldest first. */
    all: () => run<QueuedMutation[]>('readonly', (store) => store.getAll()),
    remove: (seq: number) => run<undefined>('readwrite', (store) => store.delete(seq)),
  }
}
