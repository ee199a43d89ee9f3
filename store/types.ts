/**
 * Public types of the client store. The sync scheduler, nodes and bindings
 * all speak these.
 */
import type { ReadonlySignal } from '@preact/signals-core'
import type { SyncRequest, SyncResponse } from '../protocol/types.js'

/** The store's connection to the server, as a UI would show it. */
export type ConnectionStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'offline' | 'error'

/** Where a node's data stands. */
export type NodeStatus = 'idle' | 'loading' | 'success' | 'error'

/** A value you can read, watch and subscribe to (nanostores' atom shape). */
export interface ReadableAtom<T> {
  /** The current value. */
  get(): T
  /** Calls `cb` at once with the current value and on every change (the Svelte store contract). */
  subscribe(cb: (value: T) => void): () => void
  /** Calls `cb` on every change, not at once. */
  listen(cb: (value: T) => void): () => void
  /** The underlying signal, for `@preact/signals` users. */
  readonly signal: ReadonlySignal<T>
}

/** A node's state, as every subscriber of its key sees it. */
export interface NodeState<T> {
  /** The data held, `fallback` before the first fetch, or `undefined`. */
  data: T | undefined
  /** The server version of `data`, `null` while none is held. */
  version: number | null
  status: NodeStatus
  /** The last fetch or validation error, cleared by the next success. */
  error: Error | undefined
  /** `true` until the first data arrives. */
  isLoading: boolean
}

/** Passed to every fetcher call. */
export interface FetchContext {
  /** Aborted when the fetch is superseded or the node stops. */
  signal: AbortSignal
  /** The server version this fetch must reach (at least). */
  version: number
}

/** Loads a key's data through the application's own API. */
export type Fetcher<T> = (key: string, context: FetchContext) => Promise<T> | T

/** The Standard Schema v1 interface (zod, valibot, arktype…). */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    readonly validate: (
      value: unknown,
    ) =>
      | { readonly value: Output; readonly issues?: undefined }
      | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> }> }
      | Promise<
          | { readonly value: Output; readonly issues?: undefined }
          | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> }> }
        >
    readonly types?: { readonly input: Input; readonly output: Output } | undefined
  }
}

/** Options of `store.node(key, options)`. */
export interface NodeOptions<T> {
  fetcher: Fetcher<T>
  /** Shown as `data` until the first fetch succeeds. */
  fallback?: T
  /** Validates what the fetcher (or an inline payload) returns. */
  schema?: StandardSchemaV1<unknown, T>
}

/** The handle to a key's node. */
export interface NodeHandle<T> extends ReadableAtom<NodeState<T>> {
  readonly key: string
  /** Refetches now, whatever the version. */
  refetch(): Promise<void>
}

/** Sends one sync request and returns the server's answer. */
export interface Transport {
  sync(request: SyncRequest, signal: AbortSignal): Promise<SyncResponse>
}
