/**
 * A tiny client for the demo's messages API, for the built-in page and the
 * framework examples. Runs anywhere with `fetch`; errors carry the server's
 * `{ error: { code, message } }`.
 */
import { MESSAGES_PATH, type ChatMessage } from './messages.js'

export type { ChatMessage } from './messages.js'
export { ROOM_KEY, MESSAGES_PATH, MAX_TEXT_LENGTH, checkMessageText } from './messages.js'

/**
 * Where and how to reach the API.
 *
 * @example
 * await fetchMessages({ baseUrl: 'http://127.0.0.1:3000', signal: AbortSignal.timeout(5000) })
 */
export interface ChatApiOptions {
  /** Base URL of the demo server; default: the page's own origin (relative URL). */
  baseUrl?: string
  signal?: AbortSignal
  /** Default: the global `fetch`. */
  fetch?: typeof fetch
  /** Sent as `Idempotency-Key`: a POST replayed with the same key is applied once. */
  idempotencyKey?: string
}

/**
 * A refused or failed API call.
 *
 * @example
 * try { await postMessage('') } catch (e) { if (e instanceof ChatApiError) e.code // 'invalid_request' }
 */
export class ChatApiError extends Error {
  override readonly name = 'ChatApiError'
  constructor(
    /** HTTP status, e.g. 400. */
    readonly status: number,
    /** The server's error code, e.g. `invalid_request`. */
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Loads the room's messages, oldest first.
 *
 * @example
 * const room = store.node(ROOM_KEY, { fetcher: (_key, { signal }) => fetchMessages({ signal }), fallback: [] })
 */
export async function fetchMessages(options: ChatApiOptions = {}): Promise<ChatMessage[]> {
  const body = await call('GET', undefined, options)
  if (!Array.isArray(body)) throw new ChatApiError(502, 'bad_response', 'GET /api/messages did not return an array.')
  return body as ChatMessage[]
}

/**
 * Posts a message and returns it as the server stored it (trimmed, with id
 * and time). The server then invalidates {@link ROOM_KEY}, so every open
 * page refetches.
 *
 * @example
 * await store.mutate([ROOM_KEY], () => postMessage('hello'))
 */
export async function postMessage(text: string, options: ChatApiOptions = {}): Promise<ChatMessage> {
  return (await call('POST', JSON.stringify({ text }), options)) as ChatMessage
}

async function call(method: 'GET' | 'POST', body: string | undefined, options: ChatApiOptions): Promise<unknown> {
  const url = options.baseUrl === undefined ? MESSAGES_PATH : new URL(MESSAGES_PATH, options.baseUrl).href
  const init: RequestInit = { method, headers: { accept: 'application/json' } }
  if (body !== undefined) {
    init.headers = { accept: 'application/json', 'content-type': 'application/json', ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}) }
    init.body = body
  }
  if (options.signal) init.signal = options.signal
  const response = await (options.fetch ?? fetch)(url, init)
  const parsed: unknown = await response.json().catch(() => undefined)
  if (!response.ok) {
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error
    throw new ChatApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : 'http_error',
      typeof error?.message === 'string' ? error.message : `${method} ${MESSAGES_PATH} answered ${response.status}.`,
    )
  }
  return parsed
}
