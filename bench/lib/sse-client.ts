/**
 * A minimal EventSource over `fetch` (Node 20 has no global EventSource):
 * reads a `text/event-stream` response and hands every `data:` payload to
 * `onData`. Comments (heartbeats) are read and dropped, as browsers do.
 */

/**
 * Opens `url` as an event stream until `signal` aborts.
 *
 * @example
 * const ac = new AbortController()
 * await openEventStream('http://127.0.0.1:3000/events', (d) => console.log(d), ac.signal)
 */
export async function openEventStream(url: string, onData: (data: string) => void, signal: AbortSignal): Promise<void> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream' }, signal })
  if (!response.ok || !response.body) throw new Error(`${url} answered ${response.status}`)
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        buffer += value
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const data = event
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
          if (data.length) onData(data.join('\n'))
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error
    }
  })()
}
