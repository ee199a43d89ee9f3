/**
 * Type flow, checked by `tsc -p tsconfig.json` (part of `npm test`): the
 * data type comes from the fetcher, the fallback or the schema. Every
 * assertion also runs, inside an effect scope.
 */
import { createApp, effectScope, type ComputedRef } from 'vue'
import { expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createStore } from '../../store/index.js'
import type { ConnectionStatus, NodeState, NodeStatus } from '../../store/types.js'
import { RealityPlugin, RealityStoreKey, useReality, useRealityStatus } from './index.js'

type User = { id: number; name: string }

it('types flow from fetcher and schema to the returned refs (checked by tsc)', () => {
  const store = createStore({ live: 'events' })
  const app = createApp({}).use(RealityPlugin, { store })
  const scope = effectScope()
  // runWithContext: `inject` (so the plugin's store) works outside components too.
  app.runWithContext(() => scope.run(() => {
    const user = useReality('user:1', { fetcher: async (): Promise<User> => ({ id: 1, name: 'Ada' }) })
    expectTypeOf(user.data).toEqualTypeOf<ComputedRef<User | undefined>>()
    expectTypeOf(user.state.value).toEqualTypeOf<NodeState<User>>()
    expectTypeOf(user.status.value).toEqualTypeOf<NodeStatus>()
    expectTypeOf(user.version.value).toEqualTypeOf<number | null>()
    expectTypeOf(user.isLoading.value).toEqualTypeOf<boolean>()
    expectTypeOf(user.error.value).toEqualTypeOf<Error | undefined>()

    const count = useReality('count', { fetcher: () => 1, fallback: 0 })
    expectTypeOf(count.data.value).toEqualTypeOf<number | undefined>()
    expect(count.data.value).toBe(0)

    const schema = z.object({ id: z.number(), tags: z.array(z.string()) })
    const post = useReality('post:1', { fetcher: async () => ({ id: 1, tags: ['a'] }), schema })
    expectTypeOf(post.data.value).toEqualTypeOf<{ id: number; tags: string[] } | undefined>()
    // With a schema, the fetcher may return anything: the schema decides the type.
    const parsed = useReality('post:2', { schema, fetcher: async (): Promise<unknown> => ({ id: 2, tags: [] }) })
    expectTypeOf(parsed.data.value).toEqualTypeOf<{ id: number; tags: string[] } | undefined>()

    // The refs are readonly.
    // @ts-expect-error data cannot be assigned
    void (() => (user.data.value = undefined))
    // Wrong calls stay in functions that never run: tsc checks them.
    // @ts-expect-error the fallback must have the fetcher's type
    void (() => useReality('count:2', { fetcher: async () => 1, fallback: 'zero' }))
    // @ts-expect-error a fetcher is required
    void (() => useReality('count:3', {}))

    expectTypeOf(useRealityStatus().value).toEqualTypeOf<ConnectionStatus>()
  }))
  expectTypeOf(RealityStoreKey).toMatchTypeOf<symbol>()
  scope.stop()
  store.destroy()
})
