import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoServer, type DemoServer } from './app.js'
import { MAX_API_BODY_BYTES } from './http-json.js'
import { MAX_TEXT_LENGTH, ROOM_KEY, type ChatMessage } from './messages.js'
import { call, postJson, rawGet, roomVersion } from './test-http.js'

let demo: DemoServer
beforeAll(async () => {
  demo = await startDemoServer({ port: 0 })
})
afterAll(() => demo.close())

const errorOf = (body: unknown) => (body as { error: { code: string; message: string } }).error

describe('messages API, happy path', () => {
  it('lists, adds a trimmed message, and lists it', async () => {
    const before = await call(demo.url, '/api/messages')
    expect(before.status).toBe(200)
    expect(before.headers.get('content-type')).toMatch(/^application\/json/)
    expect(before.headers.get('cache-control')).toBe('no-store')

    const posted = await postJson(demo.url, { text: '  hello there  ' })
    expect(posted.status).toBe(201)
    const message = posted.body as ChatMessage
    expect(message).toEqual({ id: expect.any(Number), text: 'hello there', at: expect.any(Number) })

    const after = await call(demo.url, '/api/messages')
    expect(after.body).toEqual([...(before.body as ChatMessage[]), message])
  })

  it('counts code points: 500 emoji are accepted, one more is not', async () => {
    expect((await postJson(demo.url, { text: '😀'.repeat(MAX_TEXT_LENGTH) })).status).toBe(201)
    const refused = await postJson(demo.url, { text: '😀'.repeat(MAX_TEXT_LENGTH + 1) })
    expect(refused.status).toBe(400)
    expect(errorOf(refused.body).message).toContain(`at most ${MAX_TEXT_LENGTH}`)
  })

  it('a POST replayed with the same Idempotency-Key is applied once and answered with the first message; a malformed key is a 400', async () => {
    const before = (await call(demo.url, '/api/messages')).body as ChatMessage[]
    const send = (key: string) =>
      call(demo.url, '/api/messages', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify({ text: 'once' }) })
    const [first, replay] = await Promise.all([send('4f1c-once'), send('4f1c-once')])
    expect(first.status).toBe(201)
    expect(replay.body).toEqual(first.body)
    expect((await send('4f1c-once')).body).toEqual(first.body)
    const refused = await send('not a key')
    expect(refused.status).toBe(400)
    expect(errorOf(refused.body).code).toBe('invalid_request')
    expect((await call(demo.url, '/api/messages')).body).toEqual([...before, first.body])
  })

  it('a POST bumps the room version seen through /reality/sync', async () => {
    const before = await roomVersion(demo.url)
    await postJson(demo.url, { text: 'bump' })
    const after = await roomVersion(demo.url)
    expect(after).toBeGreaterThan(before)
  })

  it('a held long-poll on the room is answered with the new version when a message is posted', async () => {
    const version = await roomVersion(demo.url)
    const held = call(demo.url, '/reality/sync', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ v: 1, known: { [ROOM_KEY]: version }, wait: 25_000 }),
    })
    // Whether the POST lands before or after the request is held, the
    // answer must name a newer version; no timing assumption either way.
    await postJson(demo.url, { text: 'wake up' })
    const { status, body } = await held
    expect(status).toBe(200)
    const changed = (body as { changed: Record<string, { version: number }> }).changed
    expect(changed[ROOM_KEY]!.version).toBeGreaterThan(version)
  })
})

describe('messages API, bad input gets a clear 4xx and changes nothing', () => {
  const cases: { name: string; send: () => Promise<{ status: number; body: unknown; headers: Headers }>; status: number; code: string }[] = [
    { name: 'malformed JSON', send: () => postJson(demo.url, '{"text": "hi"'), status: 400, code: 'invalid_json' },
    { name: 'a body that is not UTF-8', send: () => postJson(demo.url, new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d])), status: 400, code: 'invalid_json' },
    { name: 'an empty body', send: () => postJson(demo.url, ''), status: 400, code: 'invalid_json' },
    { name: 'a JSON array', send: () => postJson(demo.url, '["hi"]'), status: 400, code: 'invalid_request' },
    { name: 'JSON null', send: () => postJson(demo.url, 'null'), status: 400, code: 'invalid_request' },
    { name: 'a JSON string', send: () => postJson(demo.url, '"hi"'), status: 400, code: 'invalid_request' },
    { name: 'text of the wrong type', send: () => postJson(demo.url, { text: 42 }), status: 400, code: 'invalid_request' },
    { name: 'no text field', send: () => postJson(demo.url, {}), status: 400, code: 'invalid_request' },
    { name: 'an unknown field', send: () => postJson(demo.url, { text: 'hi', admin: true }), status: 400, code: 'invalid_request' },
    { name: 'empty text', send: () => postJson(demo.url, { text: '' }), status: 400, code: 'invalid_request' },
    { name: 'blank text', send: () => postJson(demo.url, { text: ' \n\t ' }), status: 400, code: 'invalid_request' },
    { name: 'text one over the limit', send: () => postJson(demo.url, { text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }), status: 400, code: 'invalid_request' },
    { name: 'a non-JSON content type', send: () => postJson(demo.url, '{"text":"hi"}', 'text/plain'), status: 415, code: 'unsupported_media_type' },
    { name: 'a form post', send: () => postJson(demo.url, 'text=hi', 'application/x-www-form-urlencoded'), status: 415, code: 'unsupported_media_type' },
    { name: 'a body over the size limit', send: () => postJson(demo.url, JSON.stringify({ text: ' '.repeat(MAX_API_BODY_BYTES) + 'x' })), status: 413, code: 'payload_too_large' },
    {
      name: 'an oversized chunked body (no Content-Length)',
      send: () =>
        call(demo.url, '/api/messages', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: new ReadableStream({
            start(controller) {
              for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(MAX_API_BODY_BYTES / 2)))
              controller.close()
            },
          }),
          duplex: 'half',
        } as RequestInit),
      status: 413,
      code: 'payload_too_large',
    },
    { name: 'DELETE on the API', send: () => call(demo.url, '/api/messages', { method: 'DELETE' }), status: 405, code: 'method_not_allowed' },
    { name: 'PUT on the API', send: () => call(demo.url, '/api/messages', { method: 'PUT' }), status: 405, code: 'method_not_allowed' },
    { name: 'POST to the page', send: () => call(demo.url, '/', { method: 'POST' }), status: 405, code: 'method_not_allowed' },
    { name: 'an unknown API route', send: () => call(demo.url, '/api/users'), status: 404, code: 'not_found' },
    { name: 'an unknown page file', send: () => call(demo.url, '/nope.js'), status: 404, code: 'not_found' },
  ]

  it.each(cases)('$name → $status $code', async ({ send, status, code }) => {
    const messagesBefore = (await call(demo.url, '/api/messages')).body
    const versionBefore = await roomVersion(demo.url)

    const response = await send()
    expect(response.status).toBe(status)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    const error = errorOf(response.body)
    expect(error.code).toBe(code)
    expect(error.message.length).toBeGreaterThan(10)
    if (status === 405) expect(response.headers.get('allow')).toMatch(/GET/)

    expect((await call(demo.url, '/api/messages')).body).toEqual(messagesBefore)
    expect(await roomVersion(demo.url)).toBe(versionBefore)
  })

  it('names the field that is wrong', async () => {
    const { body } = await postJson(demo.url, { text: 42 })
    expect(body).toEqual({ error: { code: 'invalid_request', message: 'Text must be a string.', issues: [{ path: ['text'], message: 'Text must be a string.' }] } })
  })
})

describe('the built-in page', () => {
  it('serves the HTML with a strict CSP, the bundled script and the CSS', async () => {
    const html = await call(demo.url, '/')
    expect(html.status).toBe(200)
    expect(html.headers.get('content-type')).toMatch(/^text\/html/)
    expect(html.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(html.text).toContain('<script type="module" src="/main.js">')

    const script = await call(demo.url, '/main.js')
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(script.text).toContain(ROOM_KEY)

    const css = await call(demo.url, '/style.css')
    expect(css.headers.get('content-type')).toMatch(/^text\/css/)
  })

  it('answers HEAD without a body', async () => {
    const response = await fetch(new URL('/', demo.url), { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('')
  })
})

describe('startDemoServer', () => {
  it('keeps only the last maxMessages messages', async () => {
    const small = await startDemoServer({ port: 0, maxMessages: 3 })
    try {
      for (const text of ['a', 'b', 'c', 'd', 'e']) expect((await postJson(small.url, { text })).status).toBe(201)
      const { body } = await call(small.url, '/api/messages')
      expect((body as ChatMessage[]).map((m) => m.text)).toEqual(['c', 'd', 'e'])
    } finally {
      await small.close()
    }
  })

  it('logs one line per finished request, and sync requests only when they fail', async () => {
    const lines: string[] = []
    const logged = await startDemoServer({ port: 0, log: (line) => lines.push(line) })
    try {
      await postJson(logged.url, { text: 'hi' })
      await roomVersion(logged.url)
      await call(logged.url, '/reality/sync', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })
      await call(logged.url, '/api/nope')
      // 'finish' may fire just after the client has its answer: poll, don't race.
      await expect.poll(() => lines, { timeout: 10_000 }).toEqual(['POST /api/messages 201', 'POST /reality/sync 400', 'GET /api/nope 404'])
    } finally {
      await logged.close()
    }
  })

  it('close() answers held long-polls at once instead of waiting for them, and releases everything', async () => {
    const short = await startDemoServer({ port: 0 })
    const version = await roomVersion(short.url)
    const held = call(short.url, '/reality/sync', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ v: 1, known: { [ROOM_KEY]: version }, wait: 30_000 }),
    })
    await expect.poll(() => short.reality.stats().held, { timeout: 20_000, interval: 10 }).toBe(1)
    await short.close()
    // Answered (empty: nothing changed) long before its 30 s wait; the client re-polls elsewhere.
    expect(await held).toMatchObject({ status: 200, body: { v: 1, changed: {} } })
    expect(short.reality.stats()).toMatchObject({ held: 0, timers: 0, abortListeners: 0, waiters: 0, subscriptions: 0 })
    expect(short.httpServer.listening).toBe(false)
    await expect(fetch(new URL('/api/messages', short.url))).rejects.toThrow()
  })

  it('answers 400 to a request target that is not a path', async () => {
    const { status, text } = await rawGet(demo.port, 'http://elsewhere.example/api/messages')
    expect(status).toBe(400)
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'invalid_request' } })
  })

  it('rejects with the listen error when the port is taken', async () => {
    await expect(startDemoServer({ port: demo.port })).rejects.toThrow(/EADDRINUSE/)
  })

  it('refuses a bad port or staticDir up front', async () => {
    await expect(startDemoServer({ port: 70_000 })).rejects.toThrow(/port must be an integer/)
    await expect(startDemoServer({ port: 0, staticDir: '/definitely/not/here' })).rejects.toThrow(/staticDir/)
  })
})
