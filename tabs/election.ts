/** What the election needs from the tab. */
export interface ElectionHost {
  /** This tab's id; ids order tabs for the fallback election. */
  id: string
  /** This tab leads now. The fallback election calls it again at every heartbeat: the leader announces itself each time. */
  lead(): void
  /** This tab leads no more: another tab won (fallback election), or the election stopped. */
  resign(): void
}

/** Fallback election: the leader announces itself this often (ms)… */
const BEAT = 500
/** …and a tab that heard no leader for this long (ms) claims the lead. */
const SILENCE = 2500

/**
 * Elects one leader among the tabs sharing a channel name, for the tab's
 * life. With the Web Locks API the leader is the tab holding the lock `name`:
 * the browser hands it to the next waiting tab the moment the leader's tab
 * closes or crashes. Without it, the leader announces itself every 0.5 s;
 * a tab that hears no leader for 2.5 s (a new tab: for 1 s) claims the
 * lead, and when two lead, the one with the lower id keeps it. Returns
 * `heard(from)` (feed it every leader announcement) and `stop()`.
 *
 * @example
 * const election = electLeader('reality-tabs:/reality/sync', { id, lead, resign })
 * channel.onmessage = ({ data }) => data.t === 'leader' && election.heard(data.from)
 */
export function electLeader(name: string, host: ElectionHost) {
  const locks = globalThis.navigator?.locks
  const stopped = new AbortController()
  let leading = false
  // A new tab claims the lead after a second without hearing a leader.
  let lastHeard = Date.now() - SILENCE + 2 * BEAT
  if (locks) {
    locks
      .request(name, { signal: stopped.signal }, () => {
        host.lead()
        // Held until stop(): then the browser hands the lock to the next tab.
        return new Promise((release) => stopped.signal.addEventListener('abort', release))
      })
      .catch(() => {}) // stopped while waiting
  } else {
    const beat = setInterval(() => {
      if (leading || Date.now() - lastHeard > SILENCE) {
        leading = true
        host.lead()
      }
    }, BEAT)
    stopped.signal.addEventListener('abort', () => clearInterval(beat))
  }
  return {
    /** A leader announced itself (only the fallback election listens: a lock holder leads until it stops). */
    heard(from: string) {
      lastHeard = Date.now()
      if (leading && from < host.id) {
        leading = false
        host.resign()
      }
    },
    /** Leaves the election: the lead, if held, passes to another tab. */
    stop() {
      stopped.abort()
      host.resign()
    },
  }
}
