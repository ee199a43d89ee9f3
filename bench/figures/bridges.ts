/**
 * Figure 8 (beside figure 1): the TanStack Query bridge. N active queries in
 * one QueryClient, on a real HTTP server on 127.0.0.1; one key changes.
 * Counted: requests (sync + data) per invalidation with `connectQueryClient`
 * (only the changed query refetches) against TanStack Query alone, where
 * the app learns of changes only by refetching on focus or on an interval,
 * i.e. `invalidateQueries()`, which refetches every active query. Also
 * counted: what connecting costs once (the first check of each key).
 */
import { QueryClient, QueryObserver } from '@tanstack/query-core'
import { connectQueryClient } from '../../bridges/tanstack/index.js'
import { createStore, type Store } from '../../store/index.js'
import { startCountingServer, type CountingServer } from '../lib/counting-server.js'
import { emitResult, type Check, type FigureResult } from '../lib/figure.js'
import { settled, until } from '../lib/wait.js'

const QUERY_COUNTS = [10, 100, 1_000]
let scenario = 0

type Versioned = { version: number }

/** N observed queries `[prefix, i]` whose queryFn GETs /data/<prefix>:<i>. */
function observeQueries(server: CountingServer, queryClient: QueryClient, prefix: string, n: number) {
  const observers = Array.from(
    { length: n },
    (_, i) =>
      new QueryObserver<Versioned>(queryClient, {
        queryKey: [prefix, i],
        queryFn: async ({ signal }) => (await fetch(`${server.origin}/data/${encodeURIComponent(`${prefix}:${i}`)}`, { signal })).json() as Promise<Versioned>,
      }),
  )
  const offs = observers.map((observer) => observer.subscribe(() => {}))
  const idle = () => observers.every((observer) => observer.getCurrentResult().status === 'success' && observer.getCurrentResult().fetchStatus === 'idle')
  return { observers, idle, stop: () => offs.forEach((off) => off()) }
}

/** Every sync request of the store is held by the server (one, or more when the store splits its keys) and no fetch runs. */
const heldPolls = (server: CountingServer, store: Store) => {
  const { requests, fetches } = store.debug()
  return requests > 0 && fetches === 0 && server.reality.stats().held === requests
}

const newQueryClient = () => {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } })
  queryClient.mount()
  return queryClient
}

/** The bridge: counts for connecting (first check) and for one changed key. */
async function bridged(server: CountingServer, n: number) {
  const prefix = `b${++scenario}`
  const queryClient = newQueryClient()
  const store = createStore({ endpoint: `${server.origin}/reality/sync` })
  server.reset()
  const disconnect = connectQueryClient(queryClient, { store })
  const queries = observeQueries(server, queryClient, prefix, n)
  const held = () => heldPolls(server, store) && queries.idle()
  try {
    // Every key checked once: its node holds a version (peeked through handles that do not subscribe).
    const nodes = Array.from({ length: n }, (_, i) => store.node(`${prefix}:${i}`, { fetcher: () => undefined }))
    await until(() => queries.idle() && nodes.every((node) => node.get().version !== null), 'every query loaded and checked', 60_000)
    await settled(server.lastRequestAt, held, 'a held long-poll after connecting', 300, 20_000).catch((error) => {
      throw new Error(`${error.message} ${JSON.stringify({ stats: server.reality.stats(), debug: store.debug(), open: server.openSyncs(), sync: server.counts.sync, data: server.counts.data, idle: queries.idle() })}`)
    })
    const connect = { ...server.counts }
    server.reset()
    const versions = await server.reality.invalidate([`${prefix}:0`])
    await until(() => queries.observers[0]!.getCurrentResult().data?.version === versions[`${prefix}:0`], 'the changed query refetched')
    await settled(server.lastRequestAt, held, 'a held long-poll after the change', 300, 60_000)
    return { connect, change: { ...server.counts } }
  } finally {
    disconnect()
    queries.stop()
    store.destroy()
    queryClient.clear()
  }
}

/** Reality's own nodes, same data route: what the bridge should cost no more than. */
async function storeNodes(server: CountingServer, n: number) {
  const prefix = `s${++scenario}`
  const store = createStore({ endpoint: `${server.origin}/reality/sync` })
  const fetcher = async (key: string, { signal }: { signal: AbortSignal }) => (await fetch(`${server.origin}/data/${encodeURIComponent(key)}`, { signal })).json() as Promise<Versioned>
  const handles = Array.from({ length: n }, (_, i) => store.node(`${prefix}:${i}`, { fetcher }))
  const offs = handles.map((handle) => handle.subscribe(() => {}))
  const held = () => heldPolls(server, store)
  try {
    await until(() => handles.every((handle) => handle.get().version !== null), 'every node loaded', 60_000)
    await settled(server.lastRequestAt, held, 'a held long-poll', 300, 60_000)
    server.reset()
    const versions = await server.reality.invalidate([`${prefix}:0`])
    await until(() => handles[0]!.get().version === versions[`${prefix}:0`], 'the changed node refetched')
    await settled(server.lastRequestAt, held, 'a held long-poll after the change', 300, 20_000).catch((error) => {
      throw new Error(`${error.message} ${JSON.stringify({ stats: server.reality.stats(), debug: store.debug(), open: server.openSyncs(), counts: server.counts })}`)
    })
    return { change: { ...server.counts } }
  } finally {
    offs.forEach((off) => off())
    store.destroy()
  }
}

/** TanStack alone: one `invalidateQueries()` (what a focus or interval refetch does). */
async function plain(server: CountingServer, n: number) {
  const prefix = `t${++scenario}`
  const queryClient = newQueryClient()
  const queries = observeQueries(server, queryClient, prefix, n)
  try {
    await until(queries.idle, 'every query loaded', 120_000)
    server.reset()
    await server.reality.invalidate([`${prefix}:0`])
    await queryClient.invalidateQueries()
    await until(queries.idle, 'every query refetched', 120_000)
    return { change: { ...server.counts } }
  } finally {
    queries.stop()
    queryClient.clear()
  }
}

async function main() {
  const server = await startCountingServer()
  try {
    const rows: (string | number)[][] = []
    let worstFetches = 0
    let worstOverNodes = 0
    for (const n of QUERY_COUNTS) {
      const b = await bridged(server, n)
      const s = await storeNodes(server, n)
      const p = await plain(server, n)
      const ours = b.change.sync + b.change.data
      const nodes = s.change.sync + s.change.data
      const theirs = p.change.sync + p.change.data
      worstFetches = Math.max(worstFetches, b.change.data)
      worstOverNodes = Math.max(worstOverNodes, ours / nodes)
      rows.push([n, b.change.data, b.change.sync, ours, nodes, theirs, `${(ours / theirs).toFixed(3)}×`, b.connect.sync, b.connect.data])
      process.stderr.write(`bridges: ${n} queries: bridge ${b.change.data} data + ${b.change.sync} sync per change; store nodes ${nodes}; invalidateQueries() ${theirs}; connecting ${b.connect.sync} sync + ${b.connect.data} data\n`)
    }
    const checks: Check[] = [
      { label: 'queries refetched per changed key with the bridge (worst of 3 sizes) / 1', ratio: worstFetches, target: '= 1×', pass: worstFetches === 1 },
      {
        label: "requests per change with the bridge / with Reality's own nodes (worst of 3 sizes)",
        ratio: worstOverNodes,
        target: '≤ 1×',
        pass: worstOverNodes <= 1,
        why: 'The bridge sent more requests per change than store nodes with the same data route: see the sync column (the bridge adds no sync logic of its own, so the difference is in how its refetch settles).',
      },
    ]
    const result: FigureResult = {
      id: 8,
      title: 'TanStack Query bridge: requests per invalidation',
      columns: ['Active queries', 'Bridge: data fetches per change', 'Bridge: sync requests per change', 'Bridge: requests per change', 'Store nodes: requests per change', 'TanStack alone: requests per invalidateQueries()', 'Bridge / TanStack', 'Connecting: sync requests', 'Connecting: data fetches (initial + first check)'],
      rows,
      checks,
      notes: [
        'One QueryClient, N active QueryObservers (`staleTime: Infinity`), a real HTTP server on 127.0.0.1 serving both the sync endpoint and the data route; requests are counted as they arrive.',
        `A change = one \`invalidate()\` of one key. With \`connectQueryClient\`, counted until the changed query holds the new version and a long-poll is held again (the answered poll was sent before the change and is not counted). TanStack alone has no way to know which key changed: refetching on focus or on a \`refetchInterval\` amounts to \`invalidateQueries()\`, counted here once; an interval pays it every tick, changed or not.`,
        '"Store nodes" = the same N keys as `store.node()`s of one store with a fetcher on the same data route: the bridge should cost what Reality itself costs. The sync requests per change are the store\'s re-armed poll(s), not the bridge\'s: with 1,000 keys the store splits `known` into two held polls.',
        'Connecting costs once per key: the first check refetches each query (its data was read before any version of its key, so a write in between would otherwise be lost, ARCHITECTURE.md C2); a query that goes inactive and comes back while the store still holds its key is checked by version only.',
      ],
    }
    emitResult(result)
  } finally {
    await server.close()
  }
}

await main()
process.exit(0)
