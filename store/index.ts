/**
 * `reality`: the client. A normalized store of nodes (one per key) that
 * syncs versions with a Reality server in one request per tick and refetches
 * what changed through the application's own fetchers.
 *
 * @example
 * import { getSharedStore } from 'reality'
 * const store = getSharedStore()
 * const room = store.node('chat:room:general', { fetcher: () => fetch('/api/messages').then((r) => r.json()) })
 * room.subscribe(({ data }) => render(data))
 *
 * @packageDocumentation
 */
export { createStore } from './create-store.js'
export { getSharedStore, type RegistryRecord } from './registry.js'
export { httpTransport, type HttpTransportOptions } from './transports/http.js'
export { embeddedTransport, type EmbeddedServer } from './transports/embedded.js'
export { RealityError, type RealityErrorCode, type RealityErrorDetails } from './errors.js'
export { focusManager } from './managers/focus.js'
export { onlineManager } from './managers/online.js'
export { createManager, type Manager, type ManagerListener, type ManagerSetup } from './managers/manager.js'
export type { Timers } from './timers.js'
export type * from './types.js'
