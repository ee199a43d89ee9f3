import type { SyncRequest, SyncResponse } from '../protocol/types.js'
import type { RealityError } from '../store/errors.js'
import type { Transport } from '../store/types.js'

/** Whether version `a` is older than `b`; `null` (no version held) is older than any. */
const older = (a: number | null, b: number | null) => (a ?? -1) < (b ?? -1)

/** The answer to the leader's upstream request, broadcast to every tab (its own included): each tab's waiting requests settle with it. */
export interface Answer {
  t: 'answer'
  response?: SyncResponse
  /** A sync error as it crosses the channel (structured clone drops an Error's own fields). */
  error?: { code: RealityError['code']; message: string; status?: number; retryAfter?: number }
}

/**
 * The leader tab's multiplexer: the held sync requests of every tab (its own
 * included) ride ONE upstream request carrying the union of their keys.
 *
 * Each key goes upstream with the lowest version a tab holds, raised to the
 * version an answer reports: the server answers at once for a tab that is
 * behind, and otherwise holds. The request out is restarted only for a tab
 * request it does not cover (a key it lacks or asks about with a newer
 * version than that tab holds, a shorter wait). Its answer is broadcast to
 * every tab whole: a store ignores keys it does not watch and versions it
 * holds already, so each keeps its own version fence (ARCHITECTURE.md C2).
 * A failure is broadcast too, and not retried here: every tab backs off on
 * its own (C7) and asks again. Keys no tab asked about between two answers
 * are dropped; tabs rejoining after their fetch are still covered.
 *
 * @example
 * const leader = createLeader(httpTransport({ endpoint: '/reality/sync' }), (answer) => channel.postMessage(answer))
 * leader.add({ v: 1, known: { 'chat:room:general': 7 }, wait: 25_000 })
 */
export function createLeader(upstream: Transport, broadcast: (answer: Answer) => void) {
  /** The version each key goes upstream with (`null`: the server answers the key at once). */
  const versions = new Map<string, number | null>()
  /** Keys asked about since the last answer. */
  const asked = new Set<string>()
  /** The shortest wait asked for since the last answer (0: a quick check). */
  let wait = Infinity
  let out: (SyncRequest & { controller: AbortController }) | undefined
  let queued = false

  /** Whether the request out tells this tab request of every change, before its wait ends. */
  const covered = (request: SyncRequest) =>
    !!out && (out.wait ?? 0) <= (request.wait ?? 0) && Object.keys(request.known).every((key) => key in out!.known && !older(request.known[key]!, out!.known[key]!))

  function send() {
    queued = false
    if (!asked.size) return // closed meanwhile
    out?.controller.abort()
    const request = { v: 1 as const, known: Object.fromEntries(versions), wait: wait || undefined, controller: new AbortController() }
    out = request
    const answer = ({ response, error }: Omit<Answer, 't'>) => {
      if (out !== request) return // replaced or closed
      out = undefined
      const changed = response?.changed ?? {}
      for (const key in changed) versions.set(key, changed[key]!.version)
      // A denied key is not asked about again until a tab asks.
      response?.denied?.forEach((key) => versions.delete(key))
      versions.forEach((_, key) => asked.has(key) || versions.delete(key))
      asked.clear()
      wait = Infinity
      broadcast({ t: 'answer', response, error })
    }
    upstream.sync({ v: 1, known: request.known, wait: request.wait }, request.controller.signal).then(
      (response) => answer({ response }),
      ({ code, message, status, retryAfter }: RealityError) => answer({ error: { code, message, status, retryAfter } }),
    )
  }

  return {
    /** Takes a tab's held request (every key with a version): covered by the request out, or sent with a new one. */
    add(request: SyncRequest) {
      for (const key in request.known) {
        const held = request.known[key]!
        if (!versions.has(key) || older(held, versions.get(key)!)) versions.set(key, held)
        asked.add(key)
      }
      wait = Math.min(wait, request.wait ?? 0)
      if (!covered(request) && !queued) {
        queued = true
        queueMicrotask(send)
      }
    },
    /** Keys asked about upstream, and whether a request is out. */
    debug: () => ({ keys: versions.size, upstream: out ? 1 : 0 }),
    /** Aborts the request out (the tabs send theirs again to the next leader). */
    close() {
      out?.controller.abort()
      out = undefined
      asked.clear()
    },
  }
}
