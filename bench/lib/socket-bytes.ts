/**
 * Counts the bytes that really crossed a server's sockets (headers, chunk
 * framing and bodies, both directions), for every connection it ever had.
 */
import type { Server } from 'node:http'
import type { Socket } from 'node:net'

/** Running totals of a server's socket traffic. */
export interface SocketBytes {
  /** Bytes read from and written to clients so far, closed sockets included. */
  totals(): { read: number; written: number; connections: number }
}

/**
 * Starts counting on `server` (call before clients connect).
 *
 * @example
 * const bytes = countSocketBytes(server)
 * // … later
 * bytes.totals() // { read: 1830, written: 1022, connections: 1 }
 */
export function countSocketBytes(server: Server): SocketBytes {
  const live = new Set<Socket>()
  let closedRead = 0
  let closedWritten = 0
  let connections = 0
  server.on('connection', (socket: Socket) => {
    connections++
    live.add(socket)
    socket.once('close', () => {
      // bytesRead/bytesWritten stay readable after close: fold them in once.
      live.delete(socket)
      closedRead += socket.bytesRead
      closedWritten += socket.bytesWritten
    })
  })
  return {
    totals() {
      let read = closedRead
      let written = closedWritten
      for (const socket of live) {
        read += socket.bytesRead
        written += socket.bytesWritten
      }
      return { read, written, connections }
    },
  }
}
