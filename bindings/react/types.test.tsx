// @vitest-environment node
/**
 * Type flow, checked by `tsc -p tsconfig.json` (part of `npm test`): the
 * data type comes from the fetcher, the fallback or the schema. The
 * components also render once, so every assertion line really runs.
 */
import { renderToString } from 'react-dom/server'
import { expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createStore } from '../../store/index.js'
import type { ConnectionStatus, NodeState } from '../../store/types.js'
import { RealityProvider, useMutation, useReality, useRealityStatus, useRealityStore } from './index.js'

type User = { id: number; name: string }

function Typed() {
  const fromFetcher = useReality('user:1', { fetcher: async (): Promise<User> => ({ id: 1, name: 'Ada' }) })
  expectTypeOf(fromFetcher).toEqualTypeOf<NodeState<User>>()
  expectTypeOf(fromFetcher.data).toEqualTypeOf<User | undefined>()

  const sync = useReality('count', { fetcher: () => 1, fallback: 0 })
  expectTypeOf(sync.data).toEqualTypeOf<number | undefined>()

  const schema = z.object({ id: z.number(), tags: z.array(z.string()) })
  const validated = useReality('post:1', { fetcher: async () => ({ id: 1, tags: ['a'] }), schema })
  expectTypeOf(validated.data).toEqualTypeOf<{ id: number; tags: string[] } | undefined>()
  // With a schema, the fetcher may return anything: the schema decides the type.
  const parsed = useReality('post:2', { schema, fetcher: async (): Promise<unknown> => ({ id: 2, tags: [] }) })
  expectTypeOf(parsed.data).toEqualTypeOf<{ id: number; tags: string[] } | undefined>()

  // Wrong calls stay in functions that never run: tsc checks them, React never sees them.
  // @ts-expect-error the fallback must have the fetcher's type
  void (() => useReality('count:2', { fetcher: async () => 1, fallback: 'zero' }))
  // @ts-expect-error a fetcher is required
  void (() => useReality('count:3', {}))

  expectTypeOf(useRealityStatus()).toEqualTypeOf<ConnectionStatus>()

  const rename = useMutation(['user:1'], async (id: number, name: string): Promise<User> => ({ id, name }))
  expectTypeOf(rename.mutate).toEqualTypeOf<(id: number, name: string) => Promise<User>>()
  expectTypeOf(rename.isPending).toEqualTypeOf<boolean>()
  expectTypeOf(rename.error).toEqualTypeOf<Error | undefined>()
  // @ts-expect-error arguments are checked against the mutation function
  void (() => rename.mutate('1', 'Ada'))
  // Handles as keys type the optimistic updaters, in order.
  const user = useRealityStore().node('user:1', { fetcher: async (): Promise<User> => ({ id: 1, name: 'Ada' }) })
  useMutation([user], async (name: string) => name, (name) => ({
    optimistic: [(current) => (expectTypeOf(current).toEqualTypeOf<User | undefined>(), { id: current?.id ?? 1, name })],
  }))
  return <p>{fromFetcher.data?.name ?? 'typed'}</p>
}

it('types flow from fetcher and schema to the hook results (checked by tsc)', () => {
  const store = createStore({ live: 'events' })
  expect(
    renderToString(
      <RealityProvider store={store}>
        <Typed />
      </RealityProvider>,
    ),
  ).toBe('<p>typed</p>')
  store.destroy()
})
