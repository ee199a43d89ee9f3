/**
 * The SSR example's one piece of live data: a headline anyone can rewrite.
 * Shared by the server render, the browser bundle and the server's API.
 */

/**
 * The Reality key of the headline.
 *
 * @example
 * useReality(HEADLINE_KEY, { fetcher: fetchHeadline })
 */
export const HEADLINE_KEY = 'ssr:headline'

/**
 * The headline as `GET /api/headline` answers it.
 *
 * @example
 * const headline: Headline = { text: 'Hello', writes: 0 }
 */
export interface Headline {
  text: string
  /** How many times it was rewritten. */
  writes: number
}

/**
 * The browser's fetcher for the headline.
 *
 * @example
 * store.node(HEADLINE_KEY, { fetcher: fetchHeadline })
 */
export async function fetchHeadline(_key: string, { signal }: { signal: AbortSignal }): Promise<Headline> {
  const response = await fetch('/api/headline', { signal })
  if (!response.ok) throw new Error(`GET /api/headline answered ${response.status}.`)
  return (await response.json()) as Headline
}

/**
 * Where the server puts the dehydrated snapshot for the browser.
 *
 * @example
 * hydrate(store, readSnapshot())
 */
export const SNAPSHOT_ELEMENT_ID = 'reality-snapshot'
