import type { ServerResponse } from 'node:http'
import type { StreamBody } from './change-stream.js'

/**
 * Writes with back-pressure: resolves at once when Node's buffer has room,
 * otherwise at 'drain' (or 'close', when the client went away).
 *
 * @example
 * await writeWithBackpressure(res, '{"v":1,"changed":{}}\n')
 */
export async function writeWithBackpressure(res: ServerResponse, chunk: Uint8Array | string): Promise<void> {
  if (res.destroyed || res.write(chunk)) return
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

/**
 * Runs a stream body straight into a Node response (the fast path of
 * `toNodeHandler`): headers first, then each chunk as it is written, with
 * back-pressure; ends the response when the body ends. The body stops by
 * itself when the client disconnects (it holds the request's signal).
 *
 * @example
 * writeNodeStream(output.stream, res)
 */
export function writeNodeStream(stream: StreamBody, res: ServerResponse): void {
  res.flushHeaders()
  void stream.run((text) => writeWithBackpressure(res, text)).then(() => {
    if (!res.destroyed) res.end()
  })
}
