/**
 * A boolean fact about the host (page visible? network online?) with the
 * TanStack Query manager shape: it attaches its event listeners only while
 * something subscribes, and the event source can be swapped
 * (`setEventListener`) for tests, React Native or any non-browser host.
 */

/** Receives the current value on every event. */
export type ManagerListener = (value: boolean) => void

/**
 * Attaches event listeners and calls `set` when they fire: `set()` re-reads
 * the host, `set(true|false)` states the value. Returns the detach function.
 */
export type ManagerSetup = (set: (value?: boolean) => void) => (() => void) | void

/** See {@link focusManager} and {@link onlineManager}. */
export interface Manager {
  /** The current value (the last one set, or what the host says). */
  get(): boolean
  /** Overrides the value (`undefined` goes back to asking the host) and tells every subscriber. */
  set(value?: boolean): void
  /** Calls `listener` on every event; the first subscriber attaches the event source, the last detaches it. */
  subscribe(listener: ManagerListener): () => void
  /** Replaces the event source (detaching the old one); it is attached at once if someone listens. */
  setEventListener(setup: ManagerSetup): void
}

/**
 * Builds a manager from a way to read the host and a default event source.
 *
 * @example
 * const batteryManager = createManager(() => true, (set) => { const id = setInterval(set, 60_000); return () => clearInterval(id) })
 */
export function createManager(read: () => boolean, setup: ManagerSetup): Manager {
  const listeners = new Set<ManagerListener>()
  let value: boolean | undefined
  let detach: (() => void) | void
  const get = () => value ?? read()
  const set = (next?: boolean) => {
    value = next
    listeners.forEach((listener) => listener(get()))
  }
  return {
    get,
    set,
    subscribe(listener) {
      if (!listeners.size) detach = setup(set)
      listeners.add(listener)
      return () => {
        if (listeners.delete(listener) && !listeners.size) detach = void (detach && detach())
      }
    },
    setEventListener(next) {
      if (detach) detach()
      setup = next
      detach = listeners.size ? setup(set) : undefined
    },
  }
}

/**
 * The default event source: `window` events, when there is a window.
 *
 * @example
 * createManager(read, windowEvents(['online', 'offline']))
 */
export function windowEvents(types: string[]): ManagerSetup {
  return (set) => {
    if (typeof window === 'undefined' || !window.addEventListener) return
    const listener = () => set()
    types.forEach((type) => window.addEventListener(type, listener, false))
    return () => types.forEach((type) => window.removeEventListener(type, listener, false))
  }
}
