/**
 * Adapters from the JSON the server benches print (`bench/server-throughput.ts`,
 * `bench/held-polls.ts`) to report figures, so the runner can include their
 * figures next to its own. The JSON shapes are read defensively: a field that
 * is missing becomes a clear error, never a silent zero.
 */
import { ratioCheck, type FigureResult } from './figure.js'

function need(json: unknown, path: string): number {
  let value: unknown = json
  for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part]
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`the bench JSON has no number at "${path}"`)
  return value
}

interface Run {
  rps: number
  latencyP99Ms?: number
  errors?: number
  non2xx?: number
}

/**
 * Adds Node's row (from `server-throughput.ts`) to figure 3, in front of the
 * Bun and Deno rows.
 *
 * @example
 * addNodeThroughput(figure3, JSON.parse(stdout))
 */
export function addNodeThroughput(figure: FigureResult, json: unknown): void {
  const realityRps = need(json, 'realityRps')
  const bareRps = need(json, 'bareRps')
  const runs = json as { reality?: Run[]; bare?: Run[]; settings?: { seconds?: number; rounds?: number; connections?: number } }
  const best = (list: Run[] | undefined) => (list ?? []).reduce<Run | undefined>((a, b) => (!a || b.rps > a.rps ? b : a), undefined)
  const r = best(runs.reality)
  const b = best(runs.bare)
  const bad = [...(runs.reality ?? []), ...(runs.bare ?? [])].reduce((n, x) => n + (x.errors ?? 0) + (x.non2xx ?? 0), 0)
  figure.rows.unshift(['node (node:http + toNodeHandler)', Math.round(realityRps), Math.round(bareRps), `${(realityRps / bareRps).toFixed(2)}×`, r?.latencyP99Ms ?? '', b?.latencyP99Ms ?? '', bad])
  figure.checks.unshift(ratioCheck('node: Reality req/s / bare node:http req/s', realityRps, bareRps, '≥', 0.6))
  const chart = figure.charts?.[0]
  chart?.bars.unshift({ group: 'node', series: 'Reality', value: realityRps }, { group: 'node', series: 'bare', value: bareRps })
  const s = runs.settings
  figure.notes.unshift(
    `Node row from bench/server-throughput.ts: each server in its own process, ${s?.rounds ?? '?'} alternating rounds of ${s?.seconds ?? '?'} s (best round kept), ${s?.connections ?? '?'} connections; bare = a node:http handler writing the same bytes.`,
  )
}
