/**
 * Test support shared by the binding tests: a real Reality server on
 * 127.0.0.1 (node:http + `toNodeHandler`), optionally with a store whose HTTP
 * transport points at it, so a binding test goes through the same long-poll a
 * browser would. As in the demo, page and sync endpoint share one origin: the
 * happy-dom page moves to the server's origin, so its browser-like `fetch`
 * needs no CORS. Not a test file itself (the core project collects only
 * `.test.ts` files under test/).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRealityServer, memoryVersions, type RealityServer, type RealityServerOptions } from '../server/index.js'
import { toNodeHandler } from '../server/node.js'
import { createStore, type Store, type StoreOptions } from '../store/index.js'

/** A loopback Reality server and where the store should sync. */
export interface LoopbackServer {
  reality: RealityServer
  endpoint: string
  close(): Promise<void>
}

/**
 * Starts a server on a free port of 127.0.0.1 and points the page there.
 * @example const server = await startLoopbackServer(); createStore({ endpoint: server.endpoint })
 */
export async function startLoopbackServer(serverOptions: RealityServerOptions = {}): Promise<LoopbackServer> {
  const reality = createRealityServer(serverOptions)
  const http = createServer(toNodeHandler(reality.handler))
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  ;(globalThis as { happyDOM?: { setURL(url: string): void } }).happyDOM?.setURL(`${origin}/`)
  return {
    reality,
    endpoint: `${origin}/reality/sync`,
    async close() {
      await reality.close()
      http.closeAllConnections()
      await new Promise<void>((resolve, reject) => http.close((error) => (error ? reject(error) : resolve())))
    },
  }
}

/** A running loopback server and a store synced against it. */
export interface Loopback {
  reality: RealityServer
  store: Store
  /** Destroys the store, then closes the server (ending held requests). */
  close(): Promise<void>
}

/**
 * Starts a server on a free port and a store pointing at it.
 *
 * @example
 * const { reality, store, close } = await startLoopback({ grace: 0 })
 */
export async function startLoopback(storeOptions: StoreOptions = {}): Promise<Loopback> {
  const server = await startLoopbackServer({ versions: memoryVersions() })
  const store = createStore({ endpoint: server.endpoint, ...storeOptions })
  return {
    reality: server.reality,
    store,
    async close() {
      store.destroy()
      // The store aborted its held request; let the server see it go before closing.
      await until(() => server.reality.stats().held === 0, 'the server to drop the aborted long-poll')
      await server.close()
    },
  }
}

/**
 * Polls `condition` until it holds (no fixed sleeps: CPUs are shared).
 *
 * @example
 * await until(() => target.textContent?.includes('hello'))
 */
export async function until(condition: () => unknown, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
