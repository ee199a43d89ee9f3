import type { ChangedEntry, SyncResponse } from '../protocol/types.js'
import type { Transport } from '../store/types.js'

/** One tab's sync request, as the leader holds it until it can answer. */
export interface TabRequest {
  /** The versions that tab holds (its `known`). */
  known: Record<string, number | null>
  /** `Date.now()` by which it wants an answer: now for a quick check, now + `wait` for a long-poll. */
  until: number
  resolve(response: SyncResponse): void
  reject(error: unknown): void
}

/** A version the server reported, and when a tab last asked about its key. */
interface Reported {
  entry: ChangedEntry
  askedAt: number
}

/** The one request the leader has out, and which tab requests it answers. */
interface Upstream {
  controller: AbortController
  known: Record<string, number | null>
  /** When its wait ends (`Date.now()` of the send for a quick check). */
  until: number
  answers: Set<string>
}

/** Keys a tab stops asking about are dropped from the upstream request after this long (ms). */
const FORGET_AFTER = 5000

/**
 * The leader tab's multiplexer: the sync requests of every tab (its own
 * included) ride ONE upstream request carrying the union of their keys.
 *
 * It keeps the last version the server reported for each key (`reported`).
 * A tab that holds an older one is answered at once from it, without the
 * server; a tab that holds exactly that version waits on the upstream
 * request, which carries `reported` versions, so tabs rejoining after their
 * fetch are already covered and the held request is not restarted. A key
 * nobody has a report of goes upstream as `null`: the server answers it at
 * once, and from then on it has a report. Each tab is answered only with
 * the keys whose version differs from what THAT tab holds, so every store
 * keeps its own version fence (ARCHITECTURE.md C2): `known` still carries
 * what each tab holds.
 *
 * The upstream request is restarted only when a tab is not covered by it (a
 * key it lacks, a quick check asked for); its wait ends when the earliest
 * tab's wait does. A failure is passed to every tab it answered for, with
 * its status and Retry-After, so each tab's `store.status` shows the
 * leader's connection and each backs off on its own (C7).
 *
 * @example
 * const leader = createLeader(httpTransport({ endpoint: '/reality/sync' }))
 * leader.add('tab-1:1', { known: { 'chat:room:general': null }, until: Date.now(), resolve, reject })
 */
export function createLeader(upstream: Transport) {
  const reported = new Map<string, Reported>()
  const waiting = new Map<string, TabRequest>()
  let out: Upstream | undefined
  let queued = false

  /** What of `reported` the tab does not hold. `exact` (just answered by the server): any difference counts. */
  function behind(tab: TabRequest, exact?: boolean): Record<string, ChangedEntry> {
    const changed: Record<string, ChangedEntry> = {}
    for (const key in tab.known) {
      const held = tab.known[key]!
      const last = reported.get(key)
      if (!last) continue
      last.askedAt = Date.now()
      if (held === null || held < last.entry.version || (exact && held !== last.entry.version)) changed[key] = last.entry
      // The tab holds a newer version than our report: the report is stale.
      else if (held > last.entry.version) reported.delete(key)
    }
    return changed
  }

  /**
   * Whether the request out answers this tab in time, with every key it asks
   * about: a key it carries has this tab's version (or the tab was answered
   * from `reported` already) or `null` (the server answers it at once).
   */
  function covered(tab: TabRequest): boolean {
    if (!out || out.until <= Date.now() || tab.until < out.until) return false
    for (const key in tab.known) if (!(key in out.known)) return false
    return true
  }

  function schedule() {
    if (!queued) {
      queued = true
      queueMicrotask(send)
    }
  }

  function send() {
    queued = false
    if (!waiting.size || (out && [...waiting.values()].every(covered))) return
    out?.controller.abort()
    const now = Date.now()
    const known: Record<string, number | null> = Object.create(null)
    let until = Infinity
    waiting.forEach((tab) => {
      until = Math.min(until, tab.until)
      for (const key in tab.known) known[key] = null
    })
    reported.forEach((last, key) => {
      if (last.askedAt < now - FORGET_AFTER && !(key in known)) reported.delete(key)
      else known[key] = last.entry.version
    })
    // Less than a second left: a quick check, not a hold the server clamps anyway.
    const wait = until - now > 1000 ? until - now : undefined
    const request: Upstream = { controller: new AbortController(), known, until: wait ? until : now, answers: new Set(waiting.keys()) }
    out = request
    upstream.sync({ v: 1, known, wait }, request.controller.signal).then(
      (response) => {
        if (out !== request) return
        out = undefined
        const answeredAt = Date.now()
        for (const key of Object.keys(response.changed)) reported.set(key, { entry: response.changed[key]!, askedAt: answeredAt })
        const denied = response.denied ?? []
        denied.forEach((key) => reported.delete(key))
        waiting.forEach((tab, id) => {
          const changed = behind(tab, true)
          // A denial is passed to every tab waiting (a store ignores keys it does not watch).
          if ((request.answers.has(id) && tab.until <= answeredAt + 1000) || denied.length || Object.keys(changed).length) {
            waiting.delete(id)
            tab.resolve({ v: 1, changed, denied })
          }
        })
        schedule()
      },
      (error) => {
        if (out !== request) return
        out = undefined
        request.answers.forEach((id) => {
          waiting.get(id)?.reject(error)
          waiting.delete(id)
        })
        schedule()
      },
    )
  }

  return {
    /** Takes a tab's request: answered at once when `reported` has news for it, else when the server has. */
    add(id: string, tab: TabRequest) {
      const changed = behind(tab)
      if (Object.keys(changed).length) return tab.resolve({ v: 1, changed })
      waiting.set(id, tab)
      if (!covered(tab)) schedule()
    },
    /**
     * Forgets a tab's request (it was aborted). The request out is left to
     * finish: the tab usually asks again at once, and stays covered by it.
     */
    remove(id: string) {
      waiting.delete(id)
    },
    /** Requests waiting, and whether one is out upstream. */
    debug: () => ({ waiting: waiting.size, upstream: out ? 1 : 0 }),
    /** Aborts the request out and drops every waiting request (their tabs re-send them to the next leader). */
    close() {
      out?.controller.abort()
      out = undefined
      waiting.clear()
    },
  }
}
