import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatApiError, fetchMessages, postMessage } from './api.js'
import { startDemoServer, type DemoServer } from './app.js'

let demo: DemoServer
beforeAll(async () => {
  demo = await startDemoServer({ port: 0 })
})
afterAll(() => demo.close())

describe('the chat API client', () => {
  it('posts and lists through a real server', async () => {
    const message = await postMessage('  from the client  ', { baseUrl: demo.url })
    expect(message).toMatchObject({ text: 'from the client' })
    expect(await fetchMessages({ baseUrl: demo.url })).toContainEqual(message)
  })

  it("throws ChatApiError with the server's status, code and message", async () => {
    const error = await postMessage('   ', { baseUrl: demo.url }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChatApiError)
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', message: 'Text must not be empty.' })
  })

  it('says so when an answer is not a list, or an error is not JSON', async () => {
    const answer = (body: string, status: number) => (async () => new Response(body, { status })) as typeof fetch
    await expect(fetchMessages({ fetch: answer('{"not":"a list"}', 200) })).rejects.toMatchObject({ code: 'bad_response' })
    await expect(fetchMessages({ fetch: answer('<html>bad gateway</html>', 502) })).rejects.toMatchObject({
      status: 502,
      code: 'http_error',
      message: 'GET /api/messages answered 502.',
    })
  })

  it('passes the abort signal on', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(fetchMessages({ baseUrl: demo.url, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
  })
})
