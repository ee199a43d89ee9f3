/**
 * The chat's data: one room of messages kept in memory, and the rule for
 * what a message text may be. Shared by the server (which enforces it) and
 * the page (which checks before posting, so the user sees why at once).
 */

/**
 * The one room the demo has; its messages live under this Reality key.
 *
 * @example
 * store.node(ROOM_KEY, { fetcher: () => fetchMessages() })
 */
export const ROOM_KEY = 'chat:room:general'

/**
 * The messages API: `GET` lists, `POST {"text": "..."}` adds.
 *
 * @example
 * await fetch(MESSAGES_PATH) // [{ id: 1, text: 'hi', at: 1732271234567 }]
 */
export const MESSAGES_PATH = '/api/messages'

/**
 * The longest message text, counted in Unicode code points after trimming.
 *
 * @example
 * input.maxLength = MAX_TEXT_LENGTH
 */
export const MAX_TEXT_LENGTH = 500

/**
 * How many messages the room keeps by default; older ones are dropped.
 *
 * @example
 * new MessageLog({ maxMessages: DEFAULT_MAX_MESSAGES })
 */
export const DEFAULT_MAX_MESSAGES = 200

/**
 * One chat message, as `GET /api/messages` returns it.
 *
 * @example
 * const message: ChatMessage = { id: 1, text: 'hi', at: 1732271234567 }
 */
export interface ChatMessage {
  /** Increases by one per message, so it also orders them. */
  id: number
  /** The trimmed text, 1–500 code points. */
  text: string
  /** When the server accepted it, in milliseconds since the epoch. */
  at: number
}

/**
 * Checks a would-be message text. Returns the trimmed text, or the reason it
 * is refused. Code points, not UTF-16 units, are counted so that an emoji
 * counts as one character, as a user would count it.
 *
 * @example
 * checkMessageText('  hi ') // { ok: true, text: 'hi' }
 * checkMessageText('   ')   // { ok: false, reason: 'Text must not be empty.' }
 */
export function checkMessageText(text: unknown): { ok: true; text: string } | { ok: false; reason: string } {
  if (typeof text !== 'string') return { ok: false, reason: 'Text must be a string.' }
  const trimmed = text.trim()
  if (trimmed.length === 0) return { ok: false, reason: 'Text must not be empty.' }
  if (countCodePoints(trimmed) > MAX_TEXT_LENGTH) {
    return { ok: false, reason: `Text must be at most ${MAX_TEXT_LENGTH} characters long.` }
  }
  return { ok: true, text: trimmed }
}

function countCodePoints(text: string): number {
  let count = 0
  for (const _ of text) count++
  return count
}

/**
 * The room's messages, oldest first, capped so a long-running demo cannot
 * grow without bound.
 *
 * @example
 * const room = new MessageLog({ maxMessages: 2, now: () => 0 })
 * room.add('a'); room.add('b'); room.add('c')
 * room.list().map((m) => m.text) // ['b', 'c']
 */
export class MessageLog {
  readonly #messages: ChatMessage[] = []
  readonly #maxMessages: number
  readonly #now: () => number
  #lastId = 0

  constructor(options: { maxMessages?: number; now?: () => number } = {}) {
    const maxMessages = options.maxMessages ?? DEFAULT_MAX_MESSAGES
    if (!Number.isSafeInteger(maxMessages) || maxMessages < 1) {
      throw new RangeError(`maxMessages must be a positive integer, got ${String(maxMessages)}.`)
    }
    this.#maxMessages = maxMessages
    this.#now = options.now ?? Date.now
  }

  /** Appends a message whose text already passed {@link checkMessageText}. */
  add(text: string): ChatMessage {
    const message: ChatMessage = { id: ++this.#lastId, text, at: this.#now() }
    this.#messages.push(message)
    if (this.#messages.length > this.#maxMessages) this.#messages.splice(0, this.#messages.length - this.#maxMessages)
    return message
  }

  /** A copy of the messages, oldest first. */
  list(): ChatMessage[] {
    return this.#messages.map((message) => ({ ...message }))
  }
}
