import { createManager, windowEvents } from './manager.js'

/**
 * Is the page visible? Read from `document.visibilityState` (always `true`
 * without a document: Node, Deno, workers). Stores subscribe while they run:
 * hidden pauses the held long-poll (and the interval), visible or a window
 * `focus` event syncs at once. Swap the source for React Native's AppState:
 *
 * @example
 * focusManager.setEventListener((set) => {
 *   const sub = AppState.addEventListener('change', (state) => set(state === 'active'))
 *   return () => sub.remove()
 * })
 */
export const focusManager = /* @__PURE__ */ createManager(
  () => typeof document === 'undefined' || document.visibilityState !== 'hidden',
  windowEvents(['visibilitychange', 'focus']),
)
