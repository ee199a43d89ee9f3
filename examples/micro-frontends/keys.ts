/**
 * What the three micro-frontends share by convention only (each bundles its
 * own copy of this file and of the library): the keys, how to fetch one, and
 * how a frontend registers itself with the host page.
 */

/** The board's keys. React watches k1,k2; Vue k2,k3; Svelte k1,k3: every key is watched twice. */
export const BOARD_KEYS = ['k1', 'k2', 'k3'] as const

/** One of {@link BOARD_KEYS}. */
export type BoardKey = (typeof BOARD_KEYS)[number]

/**
 * A key's value as `GET /api/keys/<key>` answers it.
 *
 * @example
 * const entry: BoardEntry = { key: 'k1', value: 'hello', writes: 1 }
 */
export interface BoardEntry {
  key: BoardKey
  value: string
  /** How many times the key was written (0: never). */
  writes: number
}

/**
 * The fetcher every frontend gives its nodes.
 *
 * @example
 * useReality('k1', { fetcher: fetchBoardEntry })
 */
export async function fetchBoardEntry(key: string, { signal }: { signal: AbortSignal }): Promise<BoardEntry> {
  const response = await fetch(`/api/keys/${encodeURIComponent(key)}`, { signal })
  if (!response.ok) throw new Error(`GET /api/keys/${key} answered ${response.status}.`)
  return (await response.json()) as BoardEntry
}

/**
 * How a frontend hands the host page its `unmount`: under
 * `window.microFrontends[name]`.
 *
 * @example
 * registerFrontend('react', () => root.unmount())
 */
export function registerFrontend(name: string, unmount: () => void): void {
  const registry = ((globalThis as { microFrontends?: Record<string, { unmount(): void }> }).microFrontends ??= {})
  registry[name] = { unmount }
  document.dispatchEvent(new CustomEvent('frontend-mounted', { detail: name }))
}

/**
 * The element a frontend mounts into; the host page has one per frontend.
 *
 * @example
 * const target = mountPoint('vue') // <section id="vue-app">
 */
export function mountPoint(name: string): HTMLElement {
  const element = document.getElementById(`${name}-app`)
  if (!element) throw new Error(`The host page has no <section id="${name}-app"> to mount the ${name} frontend into.`)
  return element
}
