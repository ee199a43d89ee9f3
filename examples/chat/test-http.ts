/**
 * Test helpers for talking to a running demo over loopback: JSON calls, the
 * sync endpoint, and raw requests whose path `fetch` would normalize away.
 */
import { request as httpRequest } from 'node:http'
import { ROOM_KEY } from './messages.js'

/** A response read whole: status, headers and parsed JSON (or text). */
export interface ReadResponse {
  status: number
  headers: Headers
  body: unknown
  text: string
}

/**
 * `fetch` and read the whole body.
 *
 * @example
 * const { status, body } = await call(demo.url, '/api/messages')
 */
export async function call(base: string, path: string, init: RequestInit = {}): Promise<ReadResponse> {
  const response = await fetch(new URL(path, base), init)
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // Not JSON (the page, a script): keep the text.
  }
  return { status: response.status, headers: response.headers, body, text }
}

/**
 * POSTs `body` to the messages API as JSON (or as given when it is a string
 * and a content type is passed).
 *
 * @example
 * await postJson(demo.url, { text: 'hi' })
 */
export function postJson(base: string, body: unknown, contentType = 'application/json'): Promise<ReadResponse> {
  return call(base, '/api/messages', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
  })
}

/**
 * The room's version as the sync endpoint reports it to a client holding
 * nothing (a never-written key reads as the store's floor version, not 0).
 *
 * @example
 * const before = await roomVersion(demo.url)
 */
export async function roomVersion(base: string): Promise<number> {
  const { status, body } = await call(base, '/reality/sync', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ v: 1, known: { [ROOM_KEY]: null } }),
  })
  if (status !== 200) throw new Error(`sync answered ${status}: ${JSON.stringify(body)}`)
  const version = (body as { changed: Record<string, { version: number }> }).changed[ROOM_KEY]?.version
  if (typeof version !== 'number') throw new Error(`sync did not report ${ROOM_KEY}: ${JSON.stringify(body)}`)
  return version
}

/**
 * Sends a GET with the path exactly as written (no URL normalization), to
 * try traversal tricks like `/../x` or `/%2e%2e/x`.
 *
 * @example
 * const { status } = await rawGet(demo.port, '/../package.json')
 */
export function rawGet(port: number, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}
