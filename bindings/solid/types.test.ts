/**
 * Type tests (checked by `tsc` in `npm test`, and run by vitest): the data
 * type flows from the fetcher, or from the schema, to `chat().data`.
 */
import { createRoot, type Accessor } from 'solid-js'
import { expectTypeOf, test } from 'vitest'
import { z } from 'zod'
import { createStore, type ConnectionStatus, type NodeState } from '../../store/index.js'
import { createReality, createRealityStatus } from './index.js'

interface Message {
  id: number
  text: string
}

test('data is typed from the fetcher, or from the schema', () => {
  const store = createStore({ transport: { sync: async () => ({ v: 1, changed: {} }) }, live: 'events' })
  createRoot((dispose) => {
    const fromFetcher = createReality('typed:fetcher', { store, fetcher: async (): Promise<Message[]> => [] })
    expectTypeOf(fromFetcher).toEqualTypeOf<Accessor<NodeState<Message[]>>>()
    expectTypeOf(fromFetcher().data).toEqualTypeOf<Message[] | undefined>()

    const schema = z.array(z.object({ id: z.number(), text: z.string() }))
    const fromSchema = createReality(() => 'typed:schema', { store, schema, fetcher: async (): Promise<unknown> => [] })
    expectTypeOf(fromSchema().data).toEqualTypeOf<{ id: number; text: string }[] | undefined>()

    // A fetcher typed `any` (`response.json()`) does not win over the schema.
    const fromJson = createReality('typed:json', { store, schema, fetcher: () => Promise.resolve(JSON.parse('[]')) })
    expectTypeOf(fromJson().data).toEqualTypeOf<{ id: number; text: string }[] | undefined>()

    // @ts-expect-error a fallback must have the fetcher's type
    createReality('typed:fallback', { store, fetcher: async (): Promise<Message[]> => [], fallback: 'none' })

    expectTypeOf(createRealityStatus(store)()).toEqualTypeOf<ConnectionStatus>()
    dispose()
  })
  store.destroy()
})
