/**
 * `reality/devtools`: a drop-in panel showing what a store holds and does —
 * its connection status, every node (key, version, status, subscribers,
 * watched or cached, fetching, last fetch) and a log of its sync requests
 * (keys sent, held or quick, changed, duration, error). Framework-free, in a
 * shadow root so the page's styles and the panel's never meet. It reads only
 * what this entry also exports for tests and tools: `inspect(store)` and
 * `onSync(store, listener)` (kept out of `reality` so apps do not download them).
 *
 * @example
 * import { inspect, mountDevtools, onSync } from 'reality/devtools'
 * const devtools = mountDevtools() // the page's shared store, panel in the corner
 * devtools.destroy()
 * const stop = onSync(store, (record) => console.log(record.keys, record.changed, inspect(store).status))
 *
 * @packageDocumentation
 */
import type { NodeInspection, Store, StoreInspection, SyncRecord } from '../store/types.js'
import { PANEL_STYLE } from './style.js'

export type { NodeInspection, StoreInspection, SyncRecord } from '../store/types.js'

/**
 * What `store` holds and where each node stands: the connection status and,
 * per node, key, version, status, subscribers, watched or cached, fetching,
 * last fetch and error.
 *
 * @example
 * const { status, nodes } = inspect(store)
 * const watched = nodes.filter((node) => node.state === 'watched').map((node) => node.key)
 */
export function inspect(store: Store): StoreInspection {
  return { status: store.status.get(), nodes: [...store.internals.nodes().values()].map((node) => node.inspect()) }
}

/**
 * Calls `listener` after each sync request of `store` settled (answered or
 * failed; aborts are not reported). Returns the unsubscribe function.
 *
 * @example
 * const stop = onSync(store, (record) => console.log(record.id, record.held, record.keys, record.changed, record.duration))
 */
export function onSync(store: Store, listener: (record: SyncRecord) => void): () => void {
  return store.internals.onSync(listener)
}

/**
 * Options of {@link mountDevtools}.
 *
 * @example
 * mountDevtools({ store, target: document.getElementById('debug')!, maxLog: 50 })
 */
export interface DevtoolsOptions {
  /** The store to show. Default: the page's shared store (`getSharedStore()`'s), which must exist already. */
  store?: Store
  /** Where the panel goes. Default: a fixed panel in the bottom-right corner of `document.body`. */
  target?: HTMLElement
  /** Sync requests kept in the log, newest first. Default 20. */
  maxLog?: number
  /** How often node rows refresh between sync requests (fetches settle in between), in ms. Default 500. */
  refreshInterval?: number
}

/**
 * A mounted panel.
 *
 * @example
 * const { element, refresh, destroy } = mountDevtools()
 */
export interface Devtools {
  /** The panel's host element (its content lives in a shadow root). */
  readonly element: HTMLElement
  /** Redraws from `inspect(store)` now. */
  refresh(): void
  /** Removes the panel, its listeners and its timer. */
  destroy(): void
}

const REGISTRY = Symbol.for('reality.registry')

/**
 * Mounts the panel and keeps it current until `destroy()`.
 *
 * @example
 * const devtools = mountDevtools({ maxLog: 10 })
 */
export function mountDevtools(options: DevtoolsOptions = {}): Devtools {
  const store = options.store ?? (globalThis as { [REGISTRY]?: { store: Store } })[REGISTRY]?.store
  if (!store) throw new TypeError('reality/devtools: no store to show. Call getSharedStore() before mountDevtools(), or pass { store }.')
  const maxLog = options.maxLog ?? 20

  const element = document.createElement('reality-devtools')
  if (!options.target) element.setAttribute('data-floating', '')
  const root = element.attachShadow({ mode: 'open' })
  const style = document.createElement('style')
  style.textContent = PANEL_STYLE
  const status = make('span', 'status')
  const nodesBody = document.createElement('tbody')
  const logBody = document.createElement('tbody')
  root.append(
    style,
    make('header', '', [make('strong', '', ['Reality']), status]),
    make('table', 'nodes', [headRow(['key', 'version', 'status', 'subs', 'state', 'last fetch']), nodesBody]),
    make('table', 'log', [headRow(['#', 'kind', 'keys sent', 'changed', 'ms']), logBody]),
  )
  ;(options.target ?? document.body).append(element)

  const log: SyncRecord[] = []
  const refresh = () => {
    const inspection = inspect(store)
    status.textContent = inspection.status
    status.dataset.status = inspection.status
    nodesBody.replaceChildren(...inspection.nodes.map(nodeRow))
    logBody.replaceChildren(...log.map(syncRow))
  }
  const stopSyncLog = onSync(store, (record) => {
    log.unshift(record)
    if (log.length > maxLog) log.length = maxLog
    refresh()
  })
  const stopStatus = store.status.listen(refresh)
  // Fetches and subscriber counts change between sync requests.
  const timer = setInterval(refresh, options.refreshInterval ?? 500)
  refresh()

  return {
    element,
    refresh,
    destroy() {
      clearInterval(timer)
      stopSyncLog()
      stopStatus()
      element.remove()
    },
  }
}

/** An element with a class and children; text goes in as text nodes, never as markup. */
function make(tag: string, className: string, children: (Node | string)[] = []): HTMLElement {
  const element = document.createElement(tag)
  if (className) element.className = className
  element.append(...children)
  return element
}

function headRow(titles: string[]): HTMLElement {
  return make('thead', '', [make('tr', '', titles.map((title) => make('th', '', [title])))])
}

function row(cells: string[], attributes: Record<string, string>): HTMLElement {
  const tr = make('tr', '', cells.map((cell) => make('td', '', [cell])))
  for (const [name, value] of Object.entries(attributes)) tr.setAttribute(name, value)
  return tr
}

function nodeRow(node: NodeInspection): HTMLElement {
  const status = node.fetching ? `${node.status}, fetching` : node.status
  const lastFetch = node.lastFetchAt === undefined ? '—' : clockTime(node.lastFetchAt)
  const cells = [node.key, node.version === null ? '—' : String(node.version), node.error ? `${status}: ${node.error}` : status, String(node.subscribers), node.state, lastFetch]
  return row(cells, { 'data-key': node.key, 'data-state': node.state })
}

function syncRow(record: SyncRecord): HTMLElement {
  const kind = record.error ? 'failed' : record.held ? 'held' : 'quick'
  const changed = record.error ?? (record.changed.length === 0 ? '—' : record.changed.join(', '))
  return row([String(record.id), kind, record.keys.join(', '), changed, String(Math.round(record.duration))], { 'data-id': String(record.id) })
}

/** `12:04:05.120`: when a fetch settled, to the millisecond (fetches can be close together). */
function clockTime(at: number): string {
  const time = new Date(at)
  const pad = (value: number, width = 2) => String(value).padStart(width, '0')
  return `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}.${pad(time.getMilliseconds(), 3)}`
}
