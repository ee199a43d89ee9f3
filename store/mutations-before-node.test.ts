/**
 * An optimistic layer for a key whose node does not exist yet (ARCHITECTURE.md
 * C8): `reality/offline` restores queued mutations right after a reload,
 * before the app has mounted what reads them. Over the real http transport
 * and a loopback server.
 */
import { afterEach, expect, it } from 'vitest'
import { startLoopback, until, type Loopback } from '../test/loopback.js'

let loopback: Loopback | undefined
afterEach(async () => {
  await loopback?.close()
  loopback = undefined
})

it('a mutation started before its key has a node shows its layer once the node is read, and drops it once it landed', async () => {
  loopback = await startLoopback({ grace: 0 })
  const { store, reality } = loopback
  let server = ['a']
  let save!: () => void
  const saved = new Promise<void>((resolve) => (save = resolve))
  const result = store.mutate(['todos'], () => saved, { optimistic: { todos: (list: string[] = []) => [...list, 'b…'] } })

  // The app mounts later: the handle's first read creates the node.
  const todos = store.node('todos', { fetcher: () => [...server] })
  const shown: unknown[] = []
  const stop = todos.subscribe(({ data }) => shown.push(data))
  await until(() => JSON.stringify(todos.get().data) === '["a","b…"]', 'the fetched data with the optimistic layer on top')

  // As an API does: write, invalidate, answer.
  server = ['a', 'b']
  await reality.invalidate(['todos'])
  save()
  await result
  await until(() => JSON.stringify(todos.get().data) === '["a","b"]', 'the server data, the layer gone')
  // Gone only once the write's data was on screen: never back to the data before it.
  const afterLayer = shown.map((data) => JSON.stringify(data)).slice(shown.findIndex((data) => JSON.stringify(data) === '["a","b…"]'))
  expect(afterLayer).not.toContain('["a"]')
  stop()
})

it('a mutation that fails before its key has a node leaves nothing behind for the node', async () => {
  loopback = await startLoopback({ grace: 0 })
  const { store } = loopback
  let fail!: (error: Error) => void
  const failed = new Promise<void>((_resolve, reject) => (fail = reject))
  const result = store.mutate(['todos'], () => failed, { optimistic: { todos: () => ['never'] } })
  fail(new Error('refused'))
  await expect(result).rejects.toThrow('refused')

  const todos = store.node('todos', { fetcher: () => ['a'] })
  const stop = todos.subscribe(() => {})
  await until(() => todos.get().data !== undefined, 'the fetched data')
  expect(todos.get().data).toEqual(['a'])
  stop()
})
