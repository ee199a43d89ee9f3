/**
 * HTTP load on 127.0.0.1 with autocannon: a short warm-up (JIT, connection
 * pools), then the measured run. Errors and non-2xx answers are counted, not
 * hidden: a fast server that answers 400 is not fast.
 */
import autocannon from 'autocannon'

/** The request every connection sends, over and over. */
export interface LoadRequest {
  url: string
  method?: string
  headers?: Record<string, string>
  body?: string
}

/** Requests per second of a measured run and how many went wrong. */
export interface LoadResult {
  rps: number
  latencyP50Ms: number
  latencyP99Ms: number
  total: number
  errors: number
  non2xx: number
}

/**
 * Warms up for `warmupSeconds`, then measures for `seconds` with `connections`
 * concurrent keep-alive connections.
 *
 * @example
 * const { rps } = await loadTest({ url: 'http://127.0.0.1:3000/' }, { seconds: 5 })
 */
export async function loadTest(request: LoadRequest, options: { seconds: number; warmupSeconds?: number; connections?: number }): Promise<LoadResult> {
  const base = { ...request, connections: options.connections ?? 32, pipelining: 1, timeout: 10 }
  if ((options.warmupSeconds ?? 1) > 0) await autocannon({ ...base, duration: options.warmupSeconds ?? 1 })
  const result = await autocannon({ ...base, duration: options.seconds })
  return {
    rps: result.requests.total / result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    total: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  }
}

/**
 * `count` known keys at version 0: the shape of the throughput figures'
 * body. A memory store reads never-written keys as its floor version, not
 * 0, so measure with {@link learnUnchangedBody}, which asks the server.
 *
 * @example
 * unchangedSyncBody(2) // '{"v":1,"known":{"bench:key:0":0,"bench:key:1":0}}'
 */
export function unchangedSyncBody(count: number): string {
  const known: Record<string, number> = {}
  for (let i = 0; i < count; i++) known[`bench:key:${i}`] = 0
  return JSON.stringify({ v: 1, known })
}

/**
 * The throughput figures' body as the server at `url` sees it unchanged:
 * `count` keys at the versions it reports (one sync with `null` versions),
 * so every answer is `{"v":1,"changed":{}}`.
 *
 * @example
 * const body = await learnUnchangedBody('http://127.0.0.1:3000/reality/sync', 100)
 */
export async function learnUnchangedBody(url: string, count: number): Promise<string> {
  const keys = Object.keys((JSON.parse(unchangedSyncBody(count)) as { known: object }).known)
  const known = Object.fromEntries(keys.map((key) => [key, null]))
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ v: 1, known }) })
  const answer = (await response.json()) as { changed?: Record<string, { version: number }> }
  return JSON.stringify({ v: 1, known: Object.fromEntries(keys.map((key) => [key, answer.changed?.[key]?.version ?? 0])) })
}
