/**
 * Baseline: the floor of any long-poll. `POST /poll` with `{"after": seq}`
 * is held until an item newer than `seq` exists, then answered with that
 * item. No versions, no validation, no store: what one HTTP exchange per
 * change costs on its own, to tell Reality's overhead from long-polling's.
 *
 * Commands: `change` {seq}; `waiting` → held requests.
 */
import { createServer, type ServerResponse } from 'node:http'
import { benchItem, type BenchItem } from '../lib/change-data.js'
import { serveOverIpc } from '../lib/server-process.js'

let current: BenchItem = benchItem(0)
const held = new Set<{ after: number; res: ServerResponse }>()
const answer = (res: ServerResponse, item: BenchItem) => {
  const body = JSON.stringify(item)
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body)
}

const http = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/poll') return res.writeHead(404).end()
  let body = ''
  req.setEncoding('utf8').on('data', (chunk) => (body += chunk))
  req.on('end', () => {
    const after = Number((JSON.parse(body) as { after: number }).after)
    if (current.seq > after) return answer(res, current)
    const entry = { after, res }
    held.add(entry)
    res.on('close', () => held.delete(entry))
  })
})
http.keepAliveTimeout = 120_000

http.listen(0, '127.0.0.1', () => {
  serveOverIpc((http.address() as { port: number }).port, {
    change(arg) {
      current = benchItem((arg as { seq: number }).seq)
      for (const entry of held) if (current.seq > entry.after) (held.delete(entry), answer(entry.res, current))
    },
    waiting: () => held.size,
  })
})
