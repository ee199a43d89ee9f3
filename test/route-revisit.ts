/**
 * The route A → B → A scenario every binding's client test runs
 * (ARCHITECTURE.md C6): a page shows key A, navigates to B (A's node is
 * unwatched, then cached), then back to A. Coming back shows A's data at
 * once (no spinner), costs 0 fetches when A did not change and exactly 1
 * when it did. Not a test file itself: each binding drives its own renderer
 * through `RouteApp`.
 */
import { expect } from 'vitest'
import type { Store } from '../store/index.js'
import { until, type LoopbackServer } from './loopback.js'
import { inspect } from '../devtools/index.js'

/** The keys of the two routes. */
export const ROUTE_KEYS = { a: 'route:a', b: 'route:b' } as const

/** The app under test: shows one route, and what it renders now ('spinner' while loading). */
export interface RouteApp {
  show(route: 'a' | 'b'): unknown
  text(): string
}

/**
 * The "database" behind both routes, and a fetcher that counts its calls.
 *
 * @example
 * const routes = routeDatabase(); useReality(ROUTE_KEYS.a, { fetcher: routes.fetcher })
 */
export function routeDatabase() {
  const values: Record<string, string> = { [ROUTE_KEYS.a]: 'A1', [ROUTE_KEYS.b]: 'B1' }
  const fetches: Record<string, number> = { [ROUTE_KEYS.a]: 0, [ROUTE_KEYS.b]: 0 }
  return {
    values,
    fetches,
    fetcher: async (key: string) => {
      fetches[key]!++
      return values[key]!
    },
  }
}

/**
 * Runs A → B → A twice (unchanged, then changed while away) and asserts
 * what the user sees and what is fetched. The store must use `grace: 0` so
 * leaving a route caches its node at once.
 *
 * @example
 * await routeAtoBtoA(server, store, app, routes)
 */
export async function routeAtoBtoA(server: LoopbackServer, store: Store, app: RouteApp, routes: ReturnType<typeof routeDatabase>): Promise<void> {
  const cached = (key: string) => inspect(store).nodes.some((node) => node.key === key && node.state === 'cached')

  await app.show('a')
  await until(() => app.text() === 'A1', 'route A')
  await app.show('b')
  await until(() => app.text() === 'B1' && cached(ROUTE_KEYS.a), 'route B, with A cached')

  // Back to A, unchanged: shown at once and revalidated by version (A's
  // version is in the poll; store.sync() waits for an answer covering it).
  await app.show('a')
  expect(app.text()).toBe('A1')
  await store.sync()
  expect(routes.fetches[ROUTE_KEYS.a]).toBe(1)

  // Away again; A changes meanwhile: shown at once, then refetched exactly once.
  await app.show('b')
  await until(() => app.text() === 'B1' && cached(ROUTE_KEYS.a), 'route B again')
  routes.values[ROUTE_KEYS.a] = 'A2'
  await server.reality.invalidate([ROUTE_KEYS.a])
  await app.show('a')
  expect(app.text()).toBe('A1')
  await until(() => app.text() === 'A2', 'the changed data')
  await store.sync()
  expect(routes.fetches[ROUTE_KEYS.a]).toBe(2)
  expect(routes.fetches[ROUTE_KEYS.b]).toBe(1)
}
