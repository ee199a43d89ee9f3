/**
 * A user-space TCP proxy that delays every chunk by a fixed time in each
 * direction, so contenders are compared over a round trip instead of
 * loopback's ~0 ms. Order is kept (same delay for every chunk, timers fire
 * in order); bandwidth is not limited. Listens on 127.0.0.1 only.
 */
import { createServer, connect, type Server, type Socket } from 'node:net'

/** A running delay proxy. */
export interface DelayProxy {
  /** The port to connect to instead of the target's. */
  port: number
  close(): Promise<void>
}

function pipeDelayed(from: Socket, to: Socket, delayMs: number): void {
  from.on('data', (chunk) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk)
    }, delayMs)
  })
  from.on('end', () => setTimeout(() => to.end(), delayMs))
}

/**
 * Starts a proxy to `127.0.0.1:targetPort` adding `delayMs` each way.
 *
 * @example
 * const proxy = await startDelayProxy(server.port, 20) // 40 ms round trip
 * fetch(`http://127.0.0.1:${proxy.port}/events`)
 */
export async function startDelayProxy(targetPort: number, delayMs: number): Promise<DelayProxy> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    client.setNoDelay(true)
    const upstream = connect({ host: '127.0.0.1', port: targetPort })
    upstream.setNoDelay(true)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.on('close', () => setTimeout(() => upstream.destroy(), delayMs))
    upstream.on('close', () => setTimeout(() => client.destroy(), delayMs))
    pipeDelayed(client, upstream, delayMs)
    pipeDelayed(upstream, client, delayMs)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
