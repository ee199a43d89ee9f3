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
 * The queue's storage: one IndexedDB object store, in order.
 *
 * The connection stays open between calls, so an `add()` starts its
 * transaction and commits it in the same task as the `mutate()` that shows
 * the mutation: a reload right after a send finds it in the queue (with a
 * connection to open first, a reload within that time lost the write while
 * the page already showed the message). The connection closes when another
 * tab upgrades or deletes the database (`versionchange`) and is opened again
 * by the next call; `close()` closes it for good.
 *
 * @example
 * const queue = idbQueue('reality-offline')
 * await queue.add({ id: crypto.randomUUID(), name: 'chat.send', args: { text: 'hi' } })
 * await queue.all() // [{ seq: 1, id: '…', name: 'chat.send', args: { text: 'hi' } }]
 */
export function idbQueue(name: string) {
  /** The open connection, once opened (then transactions start synchronously). */
  let connection: IDBDatabase | undefined
  let opening: Promise<IDBDatabase> | undefined
  let closed = false

  const forget = () => {
    connection?.close()
    connection = undefined
    opening = undefined
  }

  const open = () =>
    (opening ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name, 1)
      request.onupgradeneeded = () => request.result.createObjectStore('queue', { keyPath: 'seq', autoIncrement: true })
      request.onerror = () => {
        forget() // the next call tries again
        reject(request.error)
      }
      request.onsuccess = () => {
        const db = request.result
        // Another tab upgrades or deletes the database: let it, open again on the next call.
        db.onversionchange = db.onclose = forget
        connection = db
        // Opened after close(): closed at once, so the caller's transaction fails (InvalidStateError).
        if (closed) forget()
        resolve(db)
      }
    }))

  const transact = <T>(db: IDBDatabase, mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest): Promise<T> =>
    new Promise((resolve, reject) => {
      const transaction = db.transaction('queue', mode)
      const request = use(transaction.objectStore('queue'))
      // No more requests follow: commit now rather than when this task's events are done.
      transaction.commit?.()
      transaction.oncomplete = () => resolve(request.result)
      transaction.onerror = transaction.onabort = () => reject(transaction.error)
    })

  const run = <T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest): Promise<T> =>
    connection ? transact<T>(connection, mode, use) : open().then((db) => transact<T>(db, mode, use))

  return {
    /** Appends a mutation; resolves with its `seq`. */
    add: (entry: QueuedMutation) => run<number>('readwrite', (store) => store.add(entry)),
    /** Every queued mutation, oldest first. */
    all: () => run<QueuedMutation[]>('readonly', (store) => store.getAll()),
    remove: (seq: number) => run<undefined>('readwrite', (store) => store.delete(seq)),
    /** Closes the connection for good: later calls reject (InvalidStateError). */
    close() {
      closed = true
      forget()
    },
  }
}
