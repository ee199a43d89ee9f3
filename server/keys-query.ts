import { ProtocolError } from '../protocol/error.js'
import { keyProblem, type Limits } from '../protocol/limits.js'

/**
 * Parses the query of `GET {endpoint}?key=a&key=b` into the requested keys,
 * under the same limits and with the same 4xx codes as a POST body: every
 * parameter must be `key`, each key valid (non-empty, at most
 * `maxKeyLength`, no control characters) and listed once, at least one and
 * at most `maxKeys` keys, the query at most `maxBodyBytes` long. Never throws.
 *
 * @example
 * parseKeysQuery('/reality/sync?key=a&key=b', DEFAULT_LIMITS) // ['a', 'b']
 * parseKeysQuery('/reality/sync?keys=a', DEFAULT_LIMITS) // ProtocolError 400 invalid_request
 */
export function parseKeysQuery(url: string, limits: Readonly<Limits>): string[] | ProtocolError {
  const at = url.indexOf('?')
  const query = at === -1 ? '' : url.slice(at + 1).replace(/#.*$/s, '')
  if (query.length > limits.maxBodyBytes) {
    return new ProtocolError(413, 'payload_too_large', `The query is limited to ${limits.maxBodyBytes} bytes. Watch fewer keys per request or POST them.`)
  }
  const keys: string[] = []
  const seen = new Set<string>()
  for (const [name, value] of new URLSearchParams(query)) {
    if (name !== 'key') {
      return new ProtocolError(400, 'invalid_request', `Unknown query parameter ${JSON.stringify(name.slice(0, 60))}. List keys as ?key=a&key=b.`)
    }
    const problem = keyProblem(value, limits.maxKeyLength)
    if (problem) return new ProtocolError(400, 'invalid_request', `Invalid key ${JSON.stringify(value.slice(0, 60))}: ${problem}`)
    if (seen.has(value)) return new ProtocolError(400, 'duplicate_key', `The key ${JSON.stringify(value.slice(0, 60))} is listed twice.`)
    seen.add(value)
    keys.push(value)
    if (keys.length > limits.maxKeys) {
      return new ProtocolError(400, 'too_many_keys', `A request may list at most ${limits.maxKeys} keys. Watch fewer keys per request or raise limits.maxKeys on the server.`)
    }
  }
  if (keys.length === 0) return new ProtocolError(400, 'invalid_request', 'List the keys to read as ?key=a&key=b.')
  return keys
}

/**
 * What a GET asks for by its `Accept` header: Server-Sent Events, JSON
 * (also for no header, `*` + `/*` or `application/*`), or the 406 to answer.
 *
 * @example
 * acceptedAnswer('text/event-stream') // 'events'
 * acceptedAnswer('text/html') // ProtocolError 406
 */
export function acceptedAnswer(accept: string | null): 'events' | 'json' | ProtocolError {
  if (accept === null || accept.trim() === '') return 'json'
  let json = false
  for (const range of accept.split(',')) {
    const type = range.split(';')[0]!.trim().toLowerCase()
    if (type === 'text/event-stream') return 'events'
    if (type === 'application/json' || type === '*/*' || type === 'application/*') json = true
  }
  if (json) return 'json'
  return new ProtocolError(406, 'not_acceptable', `GET answers Accept: application/json (versions) or text/event-stream (changes); got ${JSON.stringify(accept.slice(0, 100))}.`)
}
