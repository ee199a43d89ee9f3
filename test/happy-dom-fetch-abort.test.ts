/**
 * The happy-dom setup file drops only the echo of an abort we asked for: an
 * aborted fetch prints nothing, a connection the server cuts is still
 * printed. Each test gives its own happy-dom window a console it can read.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { Window } from 'happy-dom'
import { afterEach, expect, it } from 'vitest'
import './happy-dom-fetch-abort.js'

let server: Server | undefined
let window: Window | undefined
afterEach(async () => {
  await window?.happyDOM.close()
  server?.closeAllConnections()
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
  server = window = undefined
})

/** A happy-dom window whose console.error lines land in `printed`. */
function openWindow(url: string): { window: Window; printed: string[] } {
  const printed: string[] = []
  const console = { ...globalThis.console, error: (...args: unknown[]) => printed.push(args.map(String).join(' ')) }
  window = new Window({ url, console: console as Console })
  return { window, printed }
}

/** A server that hands each request's socket to `onRequest` (and never answers). */
async function startServer(onRequest: (socket: Socket) => void): Promise<string> {
  server = createServer((request) => onRequest(request.socket))
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
}

/** Node reports a destroyed request on a later tick; give it several. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100))

it('an aborted fetch prints nothing', async () => {
  let requests = 0
  const url = await startServer(() => requests++)
  const { window, printed } = openWindow(url)
  const controller = new window.AbortController()
  window.fetch(url, { signal: controller.signal }).catch(() => {})
  await expect.poll(() => requests).toBe(1)
  controller.abort()
  await settle()
  expect(printed.filter((line) => line.includes('socket hang up'))).toEqual([])
})

it('a fetch whose connection the server cuts rejects and is still printed', async () => {
  const url = await startServer((socket) => socket.destroy())
  const { window, printed } = openWindow(url)
  await expect(window.fetch(url)).rejects.toThrow(/socket hang up/)
  await settle()
  expect(printed.filter((line) => line.includes('socket hang up'))).toHaveLength(1)
})
