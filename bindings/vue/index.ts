/**
 * `reality/vue`: composables over store nodes. No sync logic lives here.
 *
 * `useReality` returns one readonly computed ref per field (`data`, `status`,
 * `error`, `isLoading`, `version`) over a single `shallowRef` of the node's
 * immutable state: destructure freely, and a component reading only `data`
 * does not re-render on a status-only change.
 */
import { computed, getCurrentInstance, getCurrentScope, hasInjectionContext, inject, onBeforeMount, onScopeDispose, shallowRef, toValue, watch } from 'vue'
import type { App, ComputedRef, InjectionKey, MaybeRefOrGetter, ShallowRef } from 'vue'
import { getSharedStore } from '../../store/index.js'
import type { Store } from '../../store/index.js'
import type { ConnectionStatus, NodeOptions, NodeState, ReadableAtom, ValidatedNodeOptions } from '../../store/types.js'

/**
 * Where `RealityPlugin` provides its store; `provide(RealityStoreKey, store)` scopes one to a subtree.
 * @example provide(RealityStoreKey, createStore())
 */
export const RealityStoreKey: InjectionKey<Store> = Symbol('reality.store')

/**
 * Provides a store to every component of an app (else the shared store is used).
 * @example createApp(App).use(RealityPlugin, { store: createStore() })
 */
export const RealityPlugin = {
  install(app: App, options: { store: Store }): void {
    if (!options?.store) throw new TypeError('RealityPlugin: pass the store to provide, e.g. app.use(RealityPlugin, { store: createStore() })')
    app.provide(RealityStoreKey, options.store)
  },
}

/**
 * `store` if given, else the provided store (plugin or `provide`), else the page's shared store.
 * @example const store = useRealityStore(); await store.mutate(['todos'], save)
 */
export function useRealityStore(store?: Store): Store {
  return store ?? ((hasInjectionContext() && inject(RealityStoreKey, null)) || getSharedStore())
}

/**
 * Mirrors an atom into a shallowRef for the current scope's lifetime. The
 * atom may change (a reactive key): the old one is released, the new one held.
 */
function useAtom<T>(source: () => ReadableAtom<T>, caller: string): ShallowRef<T> {
  if (!getCurrentScope()) throw new Error(`${caller} must run inside setup() or an effectScope(), which unsubscribes it on dispose`)
  const atom = computed(source)
  const state = shallowRef(atom.value.get())
  let stop: (() => void) | undefined
  let started = false
  const start = () => {
    started = true
    stop?.()
    stop = atom.value.subscribe((value) => (state.value = value))
  }
  watch(atom, (next) => (started ? start() : (state.value = next.get())))
  // A component subscribes only when it mounts: server rendering never
  // mounts nor disposes, so subscribing in its setup would fetch and leak.
  if (getCurrentInstance()) onBeforeMount(start)
  else start()
  onScopeDispose(() => {
    stop?.()
    stop = undefined
    started = false
  })
  return state
}

/**
 * What `useReality` returns: readonly refs of the node's state.
 * @example const { data, status }: RealityRefs<Message[]> = useReality('chat:room:general', { fetcher })
 */
export interface RealityRefs<T> {
  data: ComputedRef<T | undefined>
  version: ComputedRef<number | null>
  status: ComputedRef<NodeState<T>['status']>
  error: ComputedRef<Error | undefined>
  isLoading: ComputedRef<boolean>
  /** The whole immutable state object. */
  state: ComputedRef<NodeState<T>>
  /** Refetches now, whatever the version. */
  refetch: () => Promise<void>
}

/**
 * Options of `useReality`: the node's options, plus a store to use instead of the provided/shared one.
 * @example const options: UseRealityOptions<Todo[]> = { fetcher: () => api.todos(), fallback: [] }
 */
export interface UseRealityOptions<T> extends NodeOptions<T> {
  store?: Store
}

/**
 * With a `schema`, the schema's output is the data type and the fetcher may return anything (`res.json()`).
 * @example useReality('user:1', { schema: User, fetcher: () => fetch('/api/users/1').then((r) => r.json()) })
 */
export interface UseValidatedRealityOptions<T> extends ValidatedNodeOptions<T> {
  store?: Store
}

/**
 * The live state of `key` as readonly refs. In a component the node starts
 * when it mounts (never during server rendering); in a bare `effectScope()`
 * at once. Unsubscribed when the scope is disposed. `key` may be a ref or a
 * getter: when it changes, the refs follow the new key's node.
 * @example
 * const { data, isLoading } = useReality('chat:room:general', { fetcher: () => api.messages() })
 * const user = useReality(() => `user:${props.id}`, { fetcher: (key) => api.user(key.slice(5)) })
 */
export function useReality<T>(key: MaybeRefOrGetter<string>, options: UseValidatedRealityOptions<T>): RealityRefs<T>
export function useReality<T>(key: MaybeRefOrGetter<string>, options: UseRealityOptions<T>): RealityRefs<T>
export function useReality<T>(key: MaybeRefOrGetter<string>, options: UseRealityOptions<T>): RealityRefs<T> {
  const store = useRealityStore(options.store)
  // A new key gives a new handle; useAtom then moves the subscription over.
  const node = computed(() => store.node(toValue(key), options))
  const state = useAtom(() => node.value, 'useReality')
  return {
    data: computed(() => state.value.data),
    version: computed(() => state.value.version),
    status: computed(() => state.value.status),
    error: computed(() => state.value.error),
    isLoading: computed(() => state.value.isLoading),
    state: computed(() => state.value),
    refetch: () => node.value.refetch(),
  }
}

/**
 * The connection status of `store` (default: provided/shared) as a readonly ref.
 * @example const status = useRealityStatus() // status.value === 'live'
 */
export function useRealityStatus(store?: Store): ComputedRef<ConnectionStatus> {
  const status = useRealityStore(store).status
  const state = useAtom(() => status, 'useRealityStatus')
  return computed(() => state.value)
}
