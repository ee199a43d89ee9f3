import { createManager, windowEvents } from './manager.js'

/**
 * Is the network up? Read from `navigator.onLine` (assumed online when the
 * host does not say). Stores subscribe while they run: offline aborts the
 * held request and sends nothing; online syncs at once. Swap the source for
 * React Native's NetInfo:
 *
 * @example
 * onlineManager.setEventListener((set) => NetInfo.addEventListener((state) => set(!!state.isConnected)))
 */
export const onlineManager = /* @__PURE__ */ createManager(
  () => typeof navigator === 'undefined' || navigator.onLine !== false,
  windowEvents(['online', 'offline']),
)
