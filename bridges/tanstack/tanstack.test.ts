// @vitest-environment node
/**
 * reality/tanstack with the real @tanstack/query-core, over a real loopback
 * server and the real httpTransport.
 */
import { QueryClient, QueryObserver, type QueryKey } from '@tanstack/query-core'
import { afterEach, describe, expect, it } from 'vitest'
import { until } from '../../test/loopback.js'
import { fakeDatabase, startRecordedLoopback, type RecordedLoopback } from '../sync-log.test-helper.js'
import { connectQueryClient } from './index.js'
import { inspect } from '../../devtools/index.js'

let loopback: RecordedLoopback | undefined
const cleanups: (() => unknown)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
  await loopback?.close()
  loopback = undefined
})

function newQueryClient() {
  // staleTime Infinity: TanStack never refetches by itself, so every fetch counted is the bridge's.
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } })
  queryClient.mount()
  cleanups.push(() => (queryClient.unmount(), queryClient.clear()))
  return queryClient
}

function observe(queryClient: QueryClient, queryKey: QueryKey, queryFn: () => Promise<string>, enabled = true) {
  const observer = new QueryObserver(queryClient, { queryKey, queryFn, enabled })
  const stop = observer.subscribe(() => {})
  cleanups.push(stop)
  return { observer, stop, data: () => observer.getCurrentResult().data, idle: () => observer.getCurrentResult().fetchStatus === 'idle' }
}

/** The store holds a long-poll again: everything a change started has settled. */
const heldAgain = () => until(() => loopback!.server.reality.stats().held === 1 && loopback!.store.debug().fetches === 0, 'a held long-poll')

describe('connectQueryClient over a real loopback server', () => {
  it('watches 100 active queries in one sync request, and a server invalidate refetches exactly that query', async () => {
    loopback = await startRecordedLoopback()
    const queryClient = newQueryClient()
    const keys = Array.from({ length: 100 }, (_, i) => `item:${i}`)
    const db = fakeDatabase(Object.fromEntries(keys.map((key) => [key, `${key} v1`])))
    cleanups.push(connectQueryClient(queryClient, { store: loopback.store }))
    const queries = keys.map((key) => observe(queryClient, key.split(':'), () => db.read(key)))

    await until(() => loopback!.syncs.length > 0, 'the first sync request')
    expect(Object.keys(loopback.syncs[0]!).sort()).toEqual([...keys].sort())
    await until(() => queries.every((query) => query.data() !== undefined && query.idle()), 'every query loaded')
    await heldAgain()

    const before = keys.map((key) => db.reads(key))
    db.set('item:7', 'item:7 v2')
    await loopback.server.reality.invalidate(['item:7'])
    await until(() => queries[7]!.data() === 'item:7 v2', 'the changed query to refetch')
    await heldAgain()
    const refetched = keys.filter((key, i) => db.reads(key) !== before[i])
    expect(refetched).toEqual(['item:7'])
    expect(db.reads('item:7') - before[7]!).toBe(1)
  })

  it('does not lose a write made between the query fetch and the first sync (first check refetches once)', async () => {
    loopback = await startRecordedLoopback()
    const queryClient = newQueryClient()
    const db = fakeDatabase({ 'news:headline': 'first' })
    const query = observe(queryClient, ['news', 'headline'], () => db.read('news:headline'))
    await until(() => query.data() === 'first', 'the query to load')
    // A write lands after the query read the database, before the store ever synced the key.
    db.set('news:headline', 'second')
    await loopback.server.reality.invalidate(['news:headline'])

    cleanups.push(connectQueryClient(queryClient, { store: loopback.store }))
    await until(() => query.data() === 'second', 'the write to show')
    await heldAgain()
    expect(db.reads('news:headline')).toBe(2)
  })

  it('keeps the version fence when the first fetch is still running: waits for it, then fetches again', async () => {
    loopback = await startRecordedLoopback()
    const queryClient = newQueryClient()
    const db = fakeDatabase({ 'news:headline': 'first' })
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let calls = 0
    const query = observe(queryClient, ['news', 'headline'], () => db.read('news:headline', ++calls === 1 ? gate : undefined))
    // The first fetch has read "first" and hangs; then the write lands.
    db.set('news:headline', 'second')
    await loopback.server.reality.invalidate(['news:headline'])
    cleanups.push(connectQueryClient(queryClient, { store: loopback.store }))
    await until(() => loopback!.store.debug().fetches === 1, 'the bridge to start its fetch')
    release()
    await heldAgain()
    expect(query.data()).toBe('second')
  })

  it('a refetch started before a change does not count as up to date with it', async () => {
    loopback = await startRecordedLoopback()
    const queryClient = newQueryClient()
    const db = fakeDatabase({ 'news:headline': 'first' })
    let gate: Promise<void> | undefined
    const query = observe(queryClient, ['news', 'headline'], () => db.read('news:headline', gate))
    cleanups.push(connectQueryClient(queryClient, { store: loopback.store }))
    await until(() => query.data() === 'first' && query.idle(), 'the query to load')
    await heldAgain()

    // The app refetches on its own; that fetch reads "first" and hangs…
    let release!: () => void
    gate = new Promise<void>((resolve) => (release = resolve))
    void query.observer.refetch()
    await until(() => !query.idle(), 'the app refetch to start')
    gate = undefined
    // …while a write lands and is reported.
    db.set('news:headline', 'second')
    await loopback.server.reality.invalidate(['news:headline'])
    await until(() => query.data() === 'second', 'the write to show')
    release()
    await heldAgain()
    expect(query.data()).toBe('second')
  })

  it('checks a query that becomes active again by version: no refetch when nothing changed', async () => {
    loopback = await startRecordedLoopback({ grace: 60_000 })
    const queryClient = newQueryClient()
    const db = fakeDatabase({ 'news:headline': 'first' })
    cleanups.push(connectQueryClient(queryClient, { store: loopback.store }))
    const first = observe(queryClient, ['news', 'headline'], () => db.read('news:headline'))
    await until(() => first.data() === 'first', 'the query to load')
    await heldAgain()
    const reads = db.reads('news:headline')

    first.stop() // inactive: the key is no longer watched by the bridge
    const again = observe(queryClient, ['news', 'headline'], () => db.read('news:headline'))
    // A change of another key answers the held poll: one full round trip with
    // the headline in it, and the headline is not refetched.
    const other = observe(queryClient, ['other'], () => db.read('other'))
    await until(() => other.data() === '', 'the other query to load')
    await heldAgain()
    const syncsBefore = loopback.syncs.length
    await loopback.server.reality.invalidate(['other'])
    await until(() => loopback!.syncs.length > syncsBefore, 'a sync after the other change')
    await heldAgain()
    expect(loopback.syncs.at(-1)!['news:headline']).not.toBeNull()
    expect(db.reads('news:headline')).toBe(reads)

    db.set('news:headline', 'second')
    await loopback.server.reality.invalidate(['news:headline'])
    await until(() => again.data() === 'second', 'the change to show')
    expect(db.reads('news:headline')).toBe(reads + 1)
  })

  it('a change reported while no query is active is refetched when one comes back', async () => {
    loopback = await startRecordedLoopback({ grace: 60_000 })
    const queryClient = newQueryClient()
    const db = fakeDatabase({ 'news:headline': 'first' })
    cleanups.push(connectQueryClient(queryClient, { store: loopback.store }))
    const first = observe(queryClient, ['news', 'headline'], () => db.read('news:headline'))
    await until(() => first.data() === 'first', 'the query to load')
    await heldAgain()
    first.stop()
    // The node is still watched (grace) and sees the change, but no query can take it.
    db.set('news:headline', 'second')
    await loopback.server.reality.invalidate(['news:headline'])
    const node = loopback.store.node('news:headline', { fetcher: () => undefined })
    await until(() => node.get().status === 'error', 'the change to be reported and refused')
    const again = observe(queryClient, ['news', 'headline'], () => db.read('news:headline'))
    expect(again.data()).toBe('first') // staleTime Infinity: TanStack alone would keep it
    await until(() => again.data() === 'second', 'the change to be fetched once the query is back')
  })

  it("a query that comes back after its node was cached is checked by version: refetched only if it changed meanwhile", async () => {
    loopback = await startRecordedLoopback({ grace: 0 })
    const queryClient = newQueryClient()
    const db = fakeDatabase({ 'news:headline': 'first', other: 'o1' })
    cleanups.push(connectQueryClient(queryClient, { store: loopback.store }))
    const other = observe(queryClient, ['other'], () => db.read('other'))
    const first = observe(queryClient, ['news', 'headline'], () => db.read('news:headline'))
    await until(() => first.data() === 'first' && other.data() === 'o1', 'both to load')
    await heldAgain()
    const reads = db.reads('news:headline')
    const state = () => inspect(loopback!.store).nodes.find((node) => node.key === 'news:headline')?.state

    first.stop()
    await until(() => state() === 'cached', 'the headline node to be cached')
    const second = observe(queryClient, ['news', 'headline'], () => db.read('news:headline'))
    await until(() => state() === 'watched', 'the headline to be watched again')
    // A change of the other key answers the poll: a round trip with the headline in it.
    db.set('other', 'o2')
    await loopback.server.reality.invalidate(['other'])
    await until(() => other.data() === 'o2', 'the other change')
    await heldAgain()
    expect(db.reads('news:headline')).toBe(reads)

    second.stop()
    await until(() => state() === 'cached', 'the headline node to be cached again')
    db.set('news:headline', 'second')
    await loopback.server.reality.invalidate(['news:headline'])
    const third = observe(queryClient, ['news', 'headline'], () => db.read('news:headline'))
    expect(third.data()).toBe('first') // staleTime Infinity: TanStack alone would keep it
    await until(() => third.data() === 'second', 'the change made while away to be fetched')
    await heldAgain()
    expect(db.reads('news:headline')).toBe(reads + 1)
  })

  it('stops watching a key once its query is inactive, and watches a disabled query only once enabled', async () => {
    loopback = await startRecordedLoopback({ grace: 0 })
    const queryClient = newQueryClient()
    const db = fakeDatabase({ a: 'a1', b: 'b1' })
    cleanups.push(connectQueryClient(queryClient, { store: loopback.store }))
    const a = observe(queryClient, ['a'], () => db.read('a'))
    const b = observe(queryClient, ['b'], () => db.read('b'), false)
    await until(() => a.data() === 'a1', 'a to load')
    await heldAgain()
    expect(Object.keys(loopback.syncs.at(-1)!)).toEqual(['a'])

    b.observer.setOptions({ queryKey: ['b'], queryFn: () => db.read('b'), enabled: true })
    await until(() => Object.keys(loopback!.syncs.at(-1)!).includes('b'), 'b to be watched once enabled')
    a.stop()
    await until(() => loopback!.watched().join() === 'b', 'a to be no longer watched')
    const syncsBefore = loopback.syncs.length
    await loopback.server.reality.invalidate(['b'])
    await until(() => loopback!.syncs.length > syncsBefore, 'a sync after the change of b')
    expect(Object.keys(loopback.syncs.at(-1)!)).toEqual(['b'])
  })

  it('disconnect removes every listener and lets every node go', async () => {
    loopback = await startRecordedLoopback({ grace: 0 })
    const queryClient = newQueryClient()
    const db = fakeDatabase({ a: 'a1' })
    const disconnect = connectQueryClient(queryClient, { store: loopback.store })
    const a = observe(queryClient, ['a'], () => db.read('a'))
    await until(() => a.data() === 'a1', 'a to load')
    await heldAgain()
    expect(queryClient.getQueryCache().hasListeners()).toBe(true)
    disconnect()
    expect(queryClient.getQueryCache().hasListeners()).toBe(false)
    await until(() => loopback!.watched().length === 0 && loopback!.store.debug().requests === 0, 'the store to stop watching')
    // Nothing watches "a" any more: a change does not refetch it.
    const reads = db.reads('a')
    await loopback.server.reality.invalidate(['a'])
    expect(db.reads('a')).toBe(reads)
  })

  it('maps query keys with keyOf; queries it maps to undefined are left alone', async () => {
    loopback = await startRecordedLoopback()
    const queryClient = newQueryClient()
    const db = fakeDatabase({ 'chat:room:7': 'hello', other: 'x' })
    const keyOf = (queryKey: QueryKey) => (queryKey[0] === 'room' ? `chat:room:${queryKey[1]}` : undefined)
    cleanups.push(connectQueryClient(queryClient, { store: loopback.store, keyOf }))
    const room = observe(queryClient, ['room', 7, { page: 1 }], () => db.read('chat:room:7'))
    observe(queryClient, ['other'], () => db.read('other'))
    await until(() => room.data() === 'hello', 'the room to load')
    await heldAgain()
    expect(Object.keys(loopback.syncs.at(-1)!)).toEqual(['chat:room:7'])
  })
})
