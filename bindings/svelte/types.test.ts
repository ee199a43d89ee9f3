/**
 * Type tests (checked by `tsc` in `npm test`, and run by vitest): the data
 * type flows from the fetcher, or from the schema, to `$node.data`.
 */
import { expectTypeOf, test } from 'vitest'
import { z } from 'zod'
import { createStore, type ConnectionStatus, type NodeHandle, type NodeState } from '../../store/index.js'
import { reality, realityStatus } from './index.js'

interface Message {
  id: number
  text: string
}

test('data is typed from the fetcher, or from the schema', () => {
  const store = createStore({ transport: { sync: async () => ({ v: 1, changed: {} }) }, live: 'events' })

  const fromFetcher = reality('typed:fetcher', { store, fetcher: async (): Promise<Message[]> => [] })
  expectTypeOf(fromFetcher).toEqualTypeOf<NodeHandle<Message[]>>()
  expectTypeOf(fromFetcher.get()).toEqualTypeOf<NodeState<Message[]>>()
  expectTypeOf(fromFetcher.get().data).toEqualTypeOf<Message[] | undefined>()

  const schema = z.array(z.object({ id: z.number(), text: z.string() }))
  const fromSchema = reality('typed:schema', { store, schema, fetcher: async (): Promise<unknown> => [] })
  expectTypeOf(fromSchema.get().data).toEqualTypeOf<{ id: number; text: string }[] | undefined>()

  // A fetcher typed `any` (`response.json()`) does not win over the schema.
  const fromJson = reality('typed:json', { store, schema, fetcher: () => Promise.resolve(JSON.parse('[]')) })
  expectTypeOf(fromJson.get().data).toEqualTypeOf<{ id: number; text: string }[] | undefined>()

  // The Svelte store contract: what `$node` gives a template.
  fromFetcher.subscribe((state) => expectTypeOf(state.data).toEqualTypeOf<Message[] | undefined>())()

  // @ts-expect-error a fallback must have the fetcher's type
  reality('typed:fallback', { store, fetcher: async (): Promise<Message[]> => [], fallback: 'none' })

  expectTypeOf(realityStatus(store).get()).toEqualTypeOf<ConnectionStatus>()
  store.destroy()
})
