/**
 * `reality/offline`: mutations defined by name with serialisable arguments,
 * queued in IndexedDB while offline (or on a network error), shown
 * optimistically (also after a reload), replayed in order with an
 * idempotency key (opt-in, beyond the core).
 *
 * @example
 * import { defineMutation, offlineQueue } from 'reality/offline'
 * const queue = offlineQueue(store, [send])
 * queue.mutate(send, { text: 'hi' })
 *
 * @packageDocumentation
 */
export {
  defineMutation,
  offlineQueue,
  MutationRejectedError,
  type MutationContext,
  type MutationDefinition,
  type OfflineQueue,
  type OfflineQueueOptions,
} from './offline-queue.js'
