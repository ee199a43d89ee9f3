/**
 * `reality/solid`: Reality nodes as Solid signals. Each field of a node's
 * state is its own signal, so a computation that reads only `data` does not
 * re-run when only `status` or `error` changes.
 *
 * @packageDocumentation
 */
import { batch, createComponent, createComputed, createContext, createMemo, createSignal, onCleanup, useContext, type Accessor, type JSX } from 'solid-js'
import { isServer } from 'solid-js/web'
import { getSharedStore, type ConnectionStatus, type NodeOptions, type NodeState, type NodeStatus, type ValidatedNodeOptions, type Store } from '../../store/index.js'

const RealityContext = createContext<Store>()

/**
 * Options of {@link createReality}: the node's options, plus the store to use instead of the provided/shared one.
 *
 * @example
 * createReality('user:42', { fetcher: () => api.user(42), fallback: guest, store: adminStore })
 */
export interface CreateRealityOptions<T> extends NodeOptions<T> {
  store?: Store
}

/**
 * With a `schema`, the data type is the schema's output, whatever the fetcher returns (it is validated).
 *
 * @example
 * createReality('chat:room:general', { schema: z.array(Message), fetcher: () => fetch('/api/messages').then((r) => r.json()) }) // data: Message[]
 */
export interface ValidatedCreateRealityOptions<T> extends ValidatedNodeOptions<T> {
  store?: Store
}

/**
 * Gives `store` to every `createReality` below it (default: `getSharedStore()`).
 *
 * @example
 * <RealityProvider store={createStore({ endpoint: '/api/reality' })}><App /></RealityProvider>
 */
export function RealityProvider(props: { store: Store; children?: JSX.Element }): JSX.Element {
  return createComponent(RealityContext.Provider, {
    get value() {
      return props.store
    },
    get children() {
      return props.children
    },
  })
}

/**
 * The store of the nearest `RealityProvider`, else the shared store.
 *
 * @example
 * const store = useRealityStore(); await store.mutate(['chat:room:general'], send)
 */
export function useRealityStore(): Store {
  return useContext(RealityContext) ?? getSharedStore()
}

/**
 * Watches a key. The accessor returns a stable view whose fields are tracked
 * one by one (`chat().data` tracks only `data`). `key` may be an accessor: the
 * old node is released and the new one watched when it changes. Unsubscribes
 * with the owner (`onCleanup`); on the server it reads the state once.
 *
 * @example
 * const chat = createReality('chat:room:general', { fetcher: () => fetch('/api/messages').then((r) => r.json()) })
 * <For each={chat().data ?? []}>{(m) => <p>{m.text}</p>}</For>
 */
export function createReality<T>(key: string | Accessor<string>, options: ValidatedCreateRealityOptions<T>): Accessor<NodeState<T>>
export function createReality<T>(key: string | Accessor<string>, options: CreateRealityOptions<T>): Accessor<NodeState<T>>
export function createReality<T>(key: string | Accessor<string>, options: CreateRealityOptions<T>): Accessor<NodeState<T>> {
  const store = options.store ?? useRealityStore()
  const [data, setData] = createSignal<T | undefined>()
  const [version, setVersion] = createSignal<number | null>(null)
  const [status, setStatus] = createSignal<NodeStatus>('idle')
  const [error, setError] = createSignal<Error | undefined>()
  const [isLoading, setIsLoading] = createSignal(true)
  const write = (state: NodeState<T>) =>
    batch(() => {
      setData(() => state.data)
      setVersion(state.version)
      setStatus(state.status)
      setError(() => state.error)
      setIsLoading(state.isLoading)
    })
  // A memo: a key accessor that recomputes to the same key keeps its subscription.
  const currentKey = typeof key === 'function' ? createMemo(key) : () => key
  createComputed(() => {
    const node = store.node(currentKey(), options)
    // A server render must not start a node (sync request, grace timer).
    if (isServer) write(node.get())
    else onCleanup(node.subscribe(write))
  })
  const view: NodeState<T> = {
    get data() { return data() },
    get version() { return version() },
    get status() { return status() },
    get error() { return error() },
    get isLoading() { return isLoading() },
  }
  return () => view
}

/**
 * The store's connection status as a signal.
 *
 * @example
 * const status = createRealityStatus() // <p class={status()}>{status()}</p>
 */
export function createRealityStatus(store: Store = useRealityStore()): Accessor<ConnectionStatus> {
  const [status, setStatus] = createSignal(store.status.get())
  if (!isServer) onCleanup(store.status.subscribe((next) => setStatus(next)))
  return status
}
