import { ProtocolError } from '../protocol/error.js'
import type { ChangedEntry, ChangeEvent } from '../protocol/types.js'
import type { StreamFormat } from './change-stream.js'

/**
 * Media type of the Server-Sent Events answer to `GET {endpoint}?key=…`.
 *
 * @example
 * new EventSource('/reality/sync?key=chat:room:general') // Accept: text/event-stream
 */
export const EVENT_STREAM_TYPE = 'text/event-stream'

// A cursor is one entry per requested key, in query order: the version last
// sent in base 36, or "-" for none. EventSource reconnects to the same URL,
// so the order matches; a version written while disconnected differs from
// the cursor's and is sent on reconnect.
const NONE = '-'
const ENTRY = /^[0-9a-z]{1,11}$/

/**
 * The `id:` of an event: the versions this connection has sent so far, so
 * `Last-Event-ID` on reconnect resumes exactly there.
 *
 * @example
 * encodeCursor(['a', 'b'], { a: 35, b: null }) // 'z.-'
 */
export function encodeCursor(keys: readonly string[], sent: Readonly<Record<string, number | null>>): string {
  return keys.map((key) => (sent[key] == null ? NONE : sent[key]!.toString(36))).join('.')
}

/**
 * Reads a `Last-Event-ID` back into the versions held for `keys`
 * (`null` header: none held, everything is sent), or the 400 to answer for
 * a cursor that is not one of this URL's.
 *
 * @example
 * decodeCursor('z.-', ['a', 'b']) // { a: 35, b: null }
 */
export function decodeCursor(header: string | null, keys: readonly string[]): Record<string, number | null> | ProtocolError {
  const known: Record<string, number | null> = Object.create(null)
  if (header === null || header === '') {
    for (const key of keys) known[key] = null
    return known
  }
  const entries = header.split('.')
  const refuse = () => new ProtocolError(400, 'invalid_request', 'Last-Event-ID is not a cursor of this stream (the keys differ or it was altered). Reconnect without it.')
  if (entries.length !== keys.length) return refuse()
  for (let i = 0; i < keys.length; i++) {
    const entry = entries[i]!
    if (entry === NONE) {
      known[keys[i]!] = null
      continue
    }
    if (!ENTRY.test(entry)) return refuse()
    const version = parseInt(entry, 36)
    if (!Number.isSafeInteger(version)) return refuse()
    known[keys[i]!] = version
  }
  return known
}

/**
 * The Server-Sent Events format: `event: denied` once for refused keys,
 * then one `event: change` per changed key (`data` is a {@link ChangeEvent})
 * with the cursor as the `id:` of the last event of each batch; a comment
 * when the stream opens with nothing to say and as the heartbeat.
 *
 * @example
 * eventStreamFormat(['a'], []).changes({ a: { version: 35 } }, false, { a: 35 }) // 'event: change\nid: z\ndata: {"key":"a","version":35}\n\n'
 */
export function eventStreamFormat(keys: readonly string[], denied: readonly string[]): StreamFormat {
  return {
    changes(changed: Record<string, ChangedEntry> | undefined, first: boolean, sent) {
      let text = first && denied.length ? `event: denied\ndata: ${JSON.stringify({ keys: denied })}\n\n` : ''
      if (changed) {
        const names = Object.keys(changed)
        const cursor = encodeCursor(keys, sent)
        names.forEach((key, index) => {
          const event: ChangeEvent = { key, ...changed[key]! }
          const id = index === names.length - 1 ? `id: ${cursor}\n` : ''
          text += `event: change\n${id}data: ${JSON.stringify(event)}\n\n`
        })
      }
      if (first && text === '') text = ': open\n\n' // sends the headers: the EventSource opens
      return text === '' ? undefined : text
    },
    heartbeat: ': heartbeat\n\n',
  }
}
