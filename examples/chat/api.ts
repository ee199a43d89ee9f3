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

const UNREACHABLE_ON_SEND = 'Not sent: the chat server could not be reached (is it running, are you online?). Try again.'
const UNREACHABLE_ON_LOAD = 'The chat server could not be reached (is it running, are you online?). Retrying…'

/**
 * What to tell the user about a failed send or load: the server's own
 * reason, "could not be reached" in words for a network failure (also when
 * the store wrapped it as a node error's `cause`), else the error's message.
 *
 * @example
 * store.mutate([ROOM_KEY], () => postMessage(text)).catch((error) => showError(explainChatError(error)))
 */
export function explainChatError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof ChatApiError ? error.cause : error
  if (cause instanceof ChatApiError) return cause.message
  return cause instanceof Error ? cause.message : String(cause)
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
    init.headers = { accept: 'application/json', 'content-type': 'application/json' }
    init.body = body
  }
  if (options.signal) init.signal = options.signal
  let response: Response
  try {
    response = await (options.fetch ?? fetch)(url, init)
  } catch (error) {
    // A fetch that never got an answer (server down, offline): say so in
    // words rather than the browser's "TypeError: Failed to fetch". Our own
    // aborts stay aborts.
    if ((error as Error | undefined)?.name === 'AbortError') throw error
    throw new ChatApiError(0, 'unreachable', method === 'POST' ? UNREACHABLE_ON_SEND : UNREACHABLE_ON_LOAD)
  }
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
