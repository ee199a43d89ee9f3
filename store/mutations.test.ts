import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createStore } from './create-store.js'
import { deferred, manualTimers, manualTransport, settle } from './test-helpers.js'

// The long-poll loop waits a second after an answer that came back within a
// second (Date.now): a frozen clock makes that deterministic.
beforeEach(() => void vi.useFakeTimers({ toFake: ['Date'] }))
afterEach(() => void vi.useRealTimers())

const stores: { destroy(): void }[] = []
afterEach(() => stores.splice(0).forEach((s) => s.destroy()))

/** A store in 'events' mode (no loop: every request is visible to the test) with one node `todos` = server value. */
async function setup() {
  const t = manualTransport()
  const store = createStore({ transport: t.transport, timers: manualTimers().timers, live: 'events' })
  stores.push(store)
  const server = { todos: ['a'], version: 1 }
  const fetches: ReturnType<typeof deferred<string[]>>[] = []
  let gated = false
  const todos = store.node('todos', {
    fetcher: () => {
      if (!gated) return [...server.todos]
      const gate = deferred<string[]>()
      fetches.push(gate)
      return gate.promise
    },
  })
  const shown: string[] = []
  todos.subscribe((s) => shown.push(JSON.stringify(s.data)))
  await settle()
  t.last().respond({ todos: { version: 1 } })
  await settle()
  return { t, store, server, todos, shown, fetches, gate: (on: boolean) => (gated = on) }
}

describe('optimistic mutations (ARCHITECTURE.md C8)', () => {
  it('shows the optimistic value at once, keeps it over refetches while pending, syncs at once on success, and drops it only when the refetch landed', async () => {
    const { t, store, server, todos, shown, fetches, gate } = await setup()
    const save = deferred<string>()
    const result = store.mutate([todos], () => save.promise, { optimistic: [(list) => [...(list ?? []), 'b…']] })
    expect(todos.get().data).toEqual(['a', 'b…'])
    // Someone else writes meanwhile: the base refetches, the layer stays on top.
    server.todos = ['a', 'z']
    void store.sync()
    await settle()
    t.last().respond({ todos: { version: 2 } })
    await settle()
    expect(todos.get().data).toEqual(['a', 'z', 'b…'])
    // The mutation succeeds: the key is synced at once (events mode has no loop).
    server.todos = ['a', 'z', 'b']
    gate(true)
    const requests = t.requests.length
    save.resolve('saved')
    await expect(result).resolves.toBe('saved')
    await settle()
    expect(t.requests).toHaveLength(requests + 1)
    expect(t.last().request.known).toEqual({ todos: 2 })
    expect(todos.get().data).toEqual(['a', 'z', 'b…'])
    t.last().respond({ todos: { version: 3 } })
    await settle()
    expect(todos.get().data).toEqual(['a', 'z', 'b…']) // refetch in flight: still optimistic on top of the old base
    fetches[0]!.resolve([...server.todos])
    await settle()
    expect(todos.get().data).toEqual(['a', 'z', 'b'])
    expect(store.debug().mutations).toBe(0)
    expect(shown).not.toContain('["a","z"]') // never flickered back to stale data
  })

  it('rolls back on error, rethrows the error as is, and still syncs the keys', async () => {
    const { t, store, todos } = await setup()
    const boom = new Error('rejected by the API')
    const result = store.mutate(['todos'], () => Promise.reject(boom), { optimistic: { todos: (list: string[] | undefined) => [...(list ?? []), 'b'] } })
    expect(todos.get().data).toEqual(['a', 'b'])
    const requests = t.requests.length
    await expect(result).rejects.toBe(boom)
    expect(todos.get().data).toEqual(['a'])
    await settle()
    expect(t.requests).toHaveLength(requests + 1)
    expect(store.debug().mutations).toBe(0)
  })

  it('two concurrent mutations on one key: layers apply in start order and retire in start order', async () => {
    const { t, store, server, todos } = await setup()
    const first = deferred<void>()
    const second = deferred<void>()
    const titleA = store.mutate([todos], () => first.promise, { optimistic: [() => ['A']] })
    const titleB = store.mutate([todos], () => second.promise, { optimistic: [() => ['B']] })
    expect(todos.get().data).toEqual(['B'])
    // B settles first and its refetch lands, but A is still pending: B stays on top.
    server.todos = ['B']
    second.resolve()
    await titleB
    await settle()
    t.last().respond({ todos: { version: 2 } })
    await settle()
    expect(todos.get().data).toEqual(['B'])
    expect(store.debug().mutations).toBe(2)
    // A settles (the server applied A before B: the server's value stays B).
    first.resolve()
    await titleA
    await settle()
    t.last().respond()
    await settle()
    expect(todos.get().data).toEqual(['B'])
    expect(store.debug().mutations).toBe(0)
    expect(todos.get().data).toBe(todos.get().data)
  })

  it('is typed from the handles: positional updaters get the node data type', () => {
    const store = createStore({ transport: manualTransport().transport })
    stores.push(store)
    const count = store.node('count', { fetcher: () => 1 })
    const name = store.node('name', { fetcher: () => 'x' })
    void store.mutate([count, name], () => 'ok', { optimistic: [(n) => (n ?? 0) + 1, (s) => `${s}!`] })
    // @ts-expect-error a number node cannot get a string
    void store.mutate([count], () => 'ok', { optimistic: [() => 'one'] })
    const typed: Promise<string> = store.mutate(['count'], () => 'ok')
    void typed
  })
})
