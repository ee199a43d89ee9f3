/**
 * `reality/svelte`: Reality nodes as Svelte stores. A node handle already
 * honours the Svelte store contract (`subscribe` calls back at once and
 * returns the unsubscribe function), so `$node` works in templates, in
 * runes mode (`$derived($node.data)`) and through `fromStore(node)`.
 *
 * @packageDocumentation
 */
import { getContext, setContext } from 'svelte'
import { getSharedStore, type ConnectionStatus, type NodeHandle, type NodeOptions, type ReadableAtom, type ValidatedNodeOptions, type Store } from '../../store/index.js'

// Symbol.for: two copies of this binding on one page still share the context.
const STORE_CONTEXT = Symbol.for('reality.svelte.store')

/**
 * Options of {@link reality}: the node's options, plus the store to use instead of the provided/shared one.
 *
 * @example
 * reality('user:42', { fetcher: () => api.user(42), fallback: guest, store: adminStore })
 */
export interface RealityOptions<T> extends NodeOptions<T> {
  store?: Store
}

/**
 * With a `schema`, the data type is the schema's output, whatever the fetcher returns (it is validated).
 *
 * @example
 * reality('chat:room:general', { schema: z.array(Message), fetcher: () => fetch('/api/messages').then((r) => r.json()) }) // data: Message[]
 */
export interface ValidatedRealityOptions<T> extends ValidatedNodeOptions<T> {
  store?: Store
}

/**
 * Gives `store` to this component and its children (call during component initialisation).
 *
 * @example
 * <script>setRealityStore(createStore({ endpoint: '/api/reality' }))</script>
 */
export function setRealityStore(store: Store): Store {
  return setContext(STORE_CONTEXT, store)
}

/**
 * The store set by the nearest `setRealityStore`, else `getSharedStore()`.
 * Context exists only while a component initialises: called elsewhere (a
 * module, an event handler) this is the shared store, so take the store
 * there from a variable set during initialisation.
 *
 * @example
 * const store = getRealityStore(); await store.mutate(['chat:room:general'], send)
 */
export function getRealityStore(): Store {
  let provided: Store | undefined
  try {
    provided = getContext<Store | undefined>(STORE_CONTEXT)
  } catch {
    // Outside component initialisation there is no context to read (Svelte
    // throws `lifecycle_outside_component`): module-level nodes use the shared store.
  }
  return provided ?? getSharedStore()
}

/**
 * A readable store of the key's node state: `$chat.data`, `$chat.status`…
 * Runes: `const messages = $derived($chat.data)` or `const chat = fromStore(reality(...))`.
 *
 * @example
 * const chat = reality('chat:room:general', { fetcher: () => fetch('/api/messages').then((r) => r.json()) })
 * // {#each $chat.data ?? [] as m}<p>{m.text}</p>{/each}
 */
export function reality<T>(key: string, options: ValidatedRealityOptions<T>): NodeHandle<T>
export function reality<T>(key: string, options: RealityOptions<T>): NodeHandle<T>
export function reality<T>(key: string, options: RealityOptions<T>): NodeHandle<T> {
  const node = (options.store ?? getRealityStore()).node(key, options)
  return isServer() ? serverView(node) : node
}

/**
 * The store's connection status as a readable store: `{$status}` → `live`, `reconnecting`…
 *
 * @example
 * const status = realityStatus() // <p class={$status}>{$status}</p>
 */
export function realityStatus(store: Store = getRealityStore()): ReadableAtom<ConnectionStatus> {
  return isServer() ? serverView(store.status) : store.status
}

// Svelte's server renderer subscribes to every `$store` for the length of one
// render. Subscribing a node would start it (a sync request, a grace timer) in
// a process that renders and forgets; the server reads the state once instead.
function isServer(): boolean {
  return typeof window === 'undefined'
}

function serverView<A extends ReadableAtom<unknown>>(atom: A): A {
  const view: A = Object.create(atom)
  view.subscribe = (cb) => (cb(atom.get()), () => {})
  view.listen = () => () => {}
  return view
}
