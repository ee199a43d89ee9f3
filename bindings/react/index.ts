/**
 * `reality/react`: hooks over store nodes. No sync logic lives here — the
 * store does it all; React only reads node snapshots through
 * `useSyncExternalStore` (immutable `NodeState` objects, so no tearing).
 */
import { createContext, createElement, useCallback, useContext, useInsertionEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import type { ReactNode } from 'react'
import { getSharedStore } from '../../store/index.js'
import type { Store } from '../../store/index.js'
import type { ConnectionStatus, MutateOptions, NodeHandle, NodeOptions, NodeState, ReadableAtom, ValidatedNodeOptions } from '../../store/types.js'

const RealityContext = createContext<Store | null>(null)

/**
 * Gives the hooks below a store of your own (tests, SSR per request). Optional:
 * without it they use `getSharedStore()`.
 * @example <RealityProvider store={createStore()}><App /></RealityProvider>
 */
export function RealityProvider(props: { store: Store; children?: ReactNode }): ReactNode {
  return createElement(RealityContext.Provider, { value: props.store }, props.children)
}

/**
 * `store` if given, else the store of the nearest `RealityProvider`, else the page's shared store.
 * @example const store = useRealityStore(); store.sync()
 */
export function useRealityStore(store?: Store): Store {
  const provided = useContext(RealityContext)
  return store ?? provided ?? getSharedStore()
}

/** Reads an atom; the same snapshot on the server (no subscription there). */
function useAtom<T>(atom: ReadableAtom<T>): T {
  // `listen` does not call back at once: React reads `get()` itself.
  const subscribe = useCallback((onChange: () => void) => atom.listen(onChange), [atom])
  const get = useCallback(() => atom.get(), [atom])
  return useSyncExternalStore(subscribe, get, get)
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
 * The live state of `key`. The node starts when the component mounts (not
 * during render, so StrictMode's extra render costs nothing) and stops after
 * the store's grace delay once its last component unmounts. The fetcher and
 * schema of the node's first registration hold while it lives (store rule).
 * @example const { data, isLoading } = useReality('chat:room:general', { fetcher: () => api.messages() })
 */
export function useReality<T>(key: string, options: UseValidatedRealityOptions<T>): NodeState<T>
export function useReality<T>(key: string, options: UseRealityOptions<T>): NodeState<T>
export function useReality<T>(key: string, options: UseRealityOptions<T>): NodeState<T> {
  const store = useRealityStore(options.store)
  // Only a new store or key makes a new handle; inline options objects are
  // expected to change identity every render.
  const node = useMemo(() => store.node(key, options), [store, key])
  return useAtom(node)
}

/**
 * The connection status of `store` (default: provided/shared); `idle` on the server.
 * @example const status = useRealityStatus() // 'live'
 */
export function useRealityStatus(store?: Store): ConnectionStatus {
  return useAtom(useRealityStore(store).status)
}

/**
 * What `useMutation` returns.
 * @example const { mutate, isPending, error }: MutationResult<[string], Message> = useMutation(keys, post)
 */
export interface MutationResult<Args extends unknown[], R> {
  /** Runs the mutation through `store.mutate`; rejects with its error. */
  mutate: (...args: Args) => Promise<R>
  /** `true` while at least one call is in flight. */
  isPending: boolean
  /** The error of the last settled call, cleared when a call starts. */
  error: Error | undefined
}

/**
 * The keys a mutation syncs once it settles: key strings or node handles (handles type the optimistic updaters).
 * @example useMutation([todosHandle, 'stats'], save, { optimistic: [(todos) => [...(todos ?? []), draft]] })
 */
export type MutationKeys = readonly (string | NodeHandle<any>)[]

/**
 * `store.mutate` options, or a function of the call's arguments returning them (optimistic values built from input).
 * @example (text: string) => ({ optimistic: { 'chat:room:general': (messages) => [...(messages ?? []), { text }] } })
 */
export type MutationOptions<K extends MutationKeys, Args extends unknown[]> = MutateOptions<K> | ((...args: Args) => MutateOptions<K>)

/**
 * Wraps `store.mutate(keys, fn, options)` (store of the nearest provider, else shared) with pending/error state.
 * @example
 * const { mutate, isPending } = useMutation(['chat:room:general'], (text: string) => api.post(text))
 * await mutate('hello')
 */
export function useMutation<const K extends MutationKeys, Args extends unknown[], R>(keys: K, fn: (...args: Args) => Promise<R> | R, options?: MutationOptions<K, Args>): MutationResult<Args, R> {
  const store = useRealityStore()
  const [state, setState] = useState<{ pending: number; error: Error | undefined }>({ pending: 0, error: undefined })
  // The last committed render's arguments, so `mutate` stays one stable
  // function (an insertion effect: a render React discards never lands here).
  const latest = useRef({ keys, fn, options })
  useInsertionEffect(() => {
    latest.current = { keys, fn, options }
  })
  const mutate = useCallback(
    async (...args: Args) => {
      const { keys, fn, options } = latest.current
      setState((s) => ({ pending: s.pending + 1, error: undefined }))
      try {
        const result = await store.mutate(keys, () => fn(...args), typeof options === 'function' ? options(...args) : options)
        setState((s) => ({ ...s, pending: s.pending - 1 }))
        return result
      } catch (error) {
        setState((s) => ({ pending: s.pending - 1, error: error instanceof Error ? error : new Error(String(error)) }))
        throw error
      }
    },
    [store],
  )
  return { mutate, isPending: state.pending > 0, error: state.error }
}
