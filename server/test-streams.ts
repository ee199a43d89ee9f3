/**
 * Readers shared by the streaming tests: NDJSON lines and Server-Sent Events
 * from a fetch `Response` body, consumed as they arrive.
 */

/**
 * Pulls text records (split on `separator`) out of a response body, one at a time.
 *
 * @example
 * const lines: RecordReader = recordReader(response, '\n')
 */
export interface RecordReader {
  /** The next record; rejects if the body ends first. */
  next(): Promise<string>
  /** Every record until the body ends. */
  rest(): Promise<string[]>
  cancel(): Promise<void>
}

/**
 * Reads `response.body` as records separated by `separator` ("\n" for NDJSON, "\n\n" for SSE).
 *
 * @example
 * const lines = recordReader(response, '\n'); JSON.parse(await lines.next())
 */
export function recordReader(response: Response, separator: string): RecordReader {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  const take = async (): Promise<string | undefined> => {
    for (;;) {
      const end = buffer.indexOf(separator)
      if (end >= 0) {
        const record = buffer.slice(0, end)
        buffer = buffer.slice(end + separator.length)
        return record
      }
      const { done, value } = await reader.read()
      if (done) return undefined
      buffer += value
    }
  }
  return {
    async next() {
      const record = await take()
      if (record === undefined) throw new Error('The stream ended.')
      return record
    },
    async rest() {
      const records: string[] = []
      for (let record = await take(); record !== undefined; record = await take()) records.push(record)
      return records
    },
    cancel: () => reader.cancel(),
  }
}

/**
 * One parsed Server-Sent Event.
 *
 * @example
 * const event: ServerSentEvent = { event: 'change', id: 'z', data: '{"key":"a","version":35}' }
 */
export interface ServerSentEvent {
  event?: string
  id?: string
  data?: string
  comment?: string
}

/**
 * Parses one SSE record (the text between blank lines).
 *
 * @example
 * parseEvent('event: change\nid: z\ndata: {}') // { event: 'change', id: 'z', data: '{}' }
 */
export function parseEvent(record: string): ServerSentEvent {
  const event: ServerSentEvent = {}
  for (const line of record.split('\n')) {
    if (line.startsWith(':')) event.comment = line.slice(1).trim()
    else {
      const colon = line.indexOf(':')
      const field = line.slice(0, colon) as 'event' | 'id' | 'data'
      event[field] = line.slice(colon + 1).replace(/^ /, '')
    }
  }
  return event
}
