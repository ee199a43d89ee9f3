/**
 * Figure 1: coalescing. N keys (1, 100, 1,000) subscribed by 1 or 3
 * micro-frontends, each taking the store from `getSharedStore()`: three
 * handles of one library copy, and three separately bundled copies (esbuild,
 * each with its own signals-core). Counted on a real HTTP server on
 * 127.0.0.1: sync requests and data fetches when the keys are subscribed (in
 * one tick) and when every key changes. Next to it, @tanstack/query-core with
 * one QueryClient per micro-frontend invalidating the same keys.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { QueryClient, QueryObserver } from '@tanstack/query-core'
import { build } from 'esbuild'
import * as source from '../../store/index.js'
import { startCountingServer, type CountingServer } from '../lib/counting-server.js'
import { emitResult, type Check, type FigureResult } from '../lib/figure.js'
import { settled, until } from '../lib/wait.js'

type Library = Pick<typeof source, 'getSharedStore'>
const ROOT = resolve(import.meta.dirname, '../..')
const KEY_COUNTS = [1, 100, 1_000]
let scenario = 0

async function bundledCopies(dir: string, count: number): Promise<Library[]> {
  const copies: Library[] = []
  for (let i = 0; i < count; i++) {
    const outfile = join(dir, `frontend-${i}.mjs`)
    await build({ entryPoints: [join(ROOT, 'store/index.ts')], outfile, bundle: true, format: 'esm', platform: 'neutral', mainFields: ['module', 'main'], logLevel: 'silent' })
    copies.push((await import(pathToFileURL(outfile).href)) as Library)
  }
  return copies
}

const fetcherFor = (origin: string) => async (key: string, context?: { signal?: AbortSignal }) =>
  (await fetch(`${origin}/data/${encodeURIComponent(key)}`, { signal: context?.signal })).json() as Promise<{ version: number }>

/** Reality: N keys × frontends; counts for the subscribe tick and for one change of every key. */
async function reality(server: CountingServer, libraries: Library[], n: number) {
  const prefix = `r${++scenario}:`
  const keys = Array.from({ length: n }, (_, i) => `${prefix}${i}`)
  const fetcher = fetcherFor(server.origin)
  server.reset()
  const stores = libraries.map((lib) => lib.getSharedStore({ endpoint: `${server.origin}/reality/sync` }))
  // Each bundle gets its own view (its own destroy()) of the one shared store.
  if (stores.some((s) => s.status !== stores[0]!.status)) throw new Error('getSharedStore() returned different stores to the frontends')
  // Every frontend subscribes every key in the same tick.
  const handles = stores.flatMap((store) => keys.map((key) => store.node(key, { fetcher })))
  const offs = handles.map((h) => h.subscribe(() => {}))
  // The store sends at most 500 keys a request (ARCHITECTURE.md C1): 1,000
  // keys are held as two requests.
  const idle = () => server.reality.stats().held === Math.ceil(n / 500)
  try {
    await until(() => handles.every((h) => h.get().version !== null), 'every key loaded', 60_000)
    await settled(server.lastRequestAt, idle, 'a held long-poll').catch((e) => { throw new Error(e.message + JSON.stringify({ stats: server.reality.stats(), debug: stores[0]!.debug(), counts: server.counts.order.length, open: server.openSyncs(), now: Math.round(performance.now()) })) })
    const subscribe = { ...server.counts, tickSyncs: server.counts.order.indexOf('d') }
    server.reset()
    const versions = await server.reality.invalidate(keys)
    await until(() => handles.every((h) => h.get().version === versions[h.key]), 'every key at its new version', 60_000)
    await settled(server.lastRequestAt, idle, 'a held long-poll after the change')
    return { subscribe, change: { ...server.counts } }
  } finally {
    offs.forEach((off) => off())
    stores.forEach((store) => store.destroy()) // every bundle releases its claim; the last one ends the store
  }
}

/** TanStack Query: one QueryClient per frontend (each bundles its own), invalidating every key. */
async function tanstack(server: CountingServer, frontends: number, n: number) {
  const prefix = `t${++scenario}:`
  const fetcher = fetcherFor(server.origin)
  const clients = Array.from({ length: frontends }, () => new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } }))
  clients.forEach((c) => c.mount())
  const observers = clients.flatMap((client) =>
    Array.from({ length: n }, (_, i) => new QueryObserver(client, { queryKey: [`${prefix}${i}`], queryFn: ({ queryKey, signal }) => fetcher(queryKey[0] as string, { signal }) })),
  )
  const offs = observers.map((o) => o.subscribe(() => {}))
  const done = () => observers.every((o) => o.getCurrentResult().status === 'success' && o.getCurrentResult().fetchStatus === 'idle')
  try {
    await until(done, 'every TanStack query loaded')
    server.reset()
    await Promise.all(clients.map((c) => c.invalidateQueries()))
    await until(done, 'every TanStack query refetched')
    return { change: { ...server.counts } }
  } finally {
    offs.forEach((off) => off())
    clients.forEach((c) => (c.unmount(), c.clear()))
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'reality-bench-mfe-'))
  const server = await startCountingServer()
  try {
    const copies = await bundledCopies(dir, 3)
    const setups: [string, Library[]][] = [
      ['1', [source]],
      ['3 (one copy)', [source, source, source]],
      ['3 (3 bundles)', copies],
    ]
    const rows: (string | number)[][] = []
    let worstTick = 0
    let worstChangeSyncs = 0
    let worstFetchRatio = 0
    for (const n of KEY_COUNTS) {
      for (const [label, libraries] of setups) {
        const r = await reality(server, libraries, n)
        const t = await tanstack(server, libraries.length, n)
        // One sync request goes out as ceil(n / 500) HTTP requests (the
        // store's per-request key limit, ARCHITECTURE.md C1): count in those.
        const parts = Math.ceil(n / 500)
        worstTick = Math.max(worstTick, r.subscribe.tickSyncs / parts)
        worstChangeSyncs = Math.max(worstChangeSyncs, r.change.sync / parts)
        worstFetchRatio = Math.max(worstFetchRatio, r.change.data / n)
        const ours = r.change.sync + r.change.data
        rows.push([n, label, r.subscribe.tickSyncs, r.subscribe.keysPerSync[0] ?? 0, r.subscribe.sync, r.change.sync, r.change.data, ours, t.change.data, `${(ours / t.change.data).toFixed(2)}×`])
        process.stderr.write(`coalescing: ${n} keys × ${label}: subscribe tick ${r.subscribe.tickSyncs} sync (${r.subscribe.sync} until idle), change ${r.change.sync} sync + ${r.change.data} fetches; TanStack ${t.change.data}\n`)
      }
    }
    const checks: Check[] = [
      { label: 'sync requests sent by the subscribe tick, in requests of ≤ 500 keys (worst of 9 setups) / 1', ratio: worstTick, target: '= 1×', pass: worstTick === 1 },
      {
        label: 'sync requests sent after a change of every key, until a poll is held again, in requests of ≤ 500 keys (worst of 9 setups) / 1',
        ratio: worstChangeSyncs,
        target: '= 1×',
        pass: worstChangeSyncs === 1,
        why: `After one change of every key the store sent ${worstChangeSyncs} sync requests before a poll was held again, where 1 (the new held poll, re-armed as soon as the answer is applied, with each fetching key at the version its fetch labels) is the minimum.`,
      },
      { label: 'fetches per change / changed keys (worst of 9 setups; 3 frontends share one fetch)', ratio: worstFetchRatio, target: '= 1×', pass: worstFetchRatio === 1 },
    ]
    const result: FigureResult = {
      id: 1,
      title: 'Coalescing: requests per tick',
      columns: ['Keys', 'Frontends', 'Sync requests, subscribe tick', 'Keys in that request', 'Sync requests until idle after subscribing', 'Sync requests per change, until idle', 'Fetches per change', 'Reality requests per change', 'TanStack requests per invalidation', 'Reality / TanStack'],
      rows,
      checks,
      notes: [
        'Every frontend subscribes every key in one tick; "subscribe tick" counts the sync requests that arrived before the first data fetch (the first answer), so it is exactly what that tick sent.',
        'A change = one `invalidate()` of all N keys; counted until every handle holds the new version and a long-poll is held again. The held request that was answered was sent before the change and is not counted; what is counted is every sync sent afterwards, the re-armed poll included. If a store re-sent its poll each time one fetch settled, a change of N keys would cost up to N sync requests; this column shows whether it does.',
        '"3 (3 bundles)" = three copies of `store/index.ts` bundled separately by esbuild (each with its own @preact/signals-core) and loaded into this process; all find one store through `getSharedStore()`.',
        'TanStack Query: one QueryClient per frontend (what separately built micro-frontends get), `invalidateQueries()` on each in the same tick; every active query refetches. With one QueryClient shared by all frontends it would be N requests per invalidation; without a version server it still cannot tell which keys changed, so an invalidation refetches all N.',
      ],
    }
    emitResult(result)
  } finally {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
process.exit(0)
