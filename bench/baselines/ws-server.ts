/**
 * Baseline: a WebSocket (`ws`) push server. Every change is sent to every
 * connected socket as one text message carrying the item.
 *
 * Commands: `change` {seq}; `clients` → open sockets.
 */
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'
import { benchItem } from '../lib/change-data.js'
import { serveOverIpc } from '../lib/server-process.js'

const http = createServer((_req, res) => res.writeHead(404).end())
// No per-message deflate: ws disables it by default, as most deployments keep it.
const sockets = new WebSocketServer({ server: http })

http.listen(0, '127.0.0.1', () => {
  serveOverIpc((http.address() as { port: number }).port, {
    change(arg) {
      const message = JSON.stringify(benchItem((arg as { seq: number }).seq))
      for (const socket of sockets.clients) socket.send(message)
    },
    clients: () => sockets.clients.size,
  })
})
