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
  /** The request out upstream: it asks about `versions` and `wait` as they were when nothing changed them since. */
  let out: AbortController | undefined

  async function send() {
    out?.abort()
    const controller = new AbortController()
    out = controller
    const answer: Answer = { t: 'answer' }
    try {
      answer.response = await upstream.sync({ v: 1, known: Object.fromEntries(versions), wait: wait || undefined }, controller.signal)
    } catch (error) {
      const { code, message, status, retryAfter } = error as RealityError
      answer.error = { code, message, status, retryAfter }
    }
    if (out !== controller) return // replaced or closed
    out = undefined
    const changed = answer.response?.changed ?? {}
    for (const key in changed) versions.set(key, changed[key]!.version)
    // A denied key is not asked about again until a tab asks.
    answer.response?.denied?.forEach((key) => versions.delete(key))
    for (const key of versions.keys()) if (!asked.has(key)) versions.delete(key)
    asked.clear()
    wait = Infinity
    broadcast(answer)
  }

  return {
    /**
     * Takes a tab's request. The request out covers it unless it lowers a
     * version (a key new upstream, or older than the one asked about) or the
     * wait: then the request out is replaced. (Each message is a task of its
     * own: there is nothing to batch.)
     */
    add(request: SyncRequest) {
      let covered = !!out
      for (const key in request.known) {
        const held = request.known[key]!
        asked.add(key)
        if (!versions.has(key) || older(held, versions.get(key)!)) {
          versions.set(key, held)
          covered = false
        }
      }
      if ((request.wait ?? 0) < wait) {
        wait = request.wait ?? 0
        covered = false
      }
      if (!covered) send()
    },
    /** Aborts the request out (the tabs send theirs again to the next leader). */
    close() {
      out?.abort()
      out = undefined
    },
  }
}
