import type { SyncResponse } from '../../protocol/types.js'
import type { TrackedTimers } from '../timers.js'
import type { Transport } from '../types.js'

/**
 * How long the first streamed answer may take before the store gives up streaming (a buffering proxy).
 *
 * @example
 * timers.after(FIRST_LINE_MS, fallBack)
 */
export const FIRST_LINE_MS = 3000

/**
 * What `live: 'stream'` keeps for one store: whether it still streams (after
 * a first answer that never came it long-polls for the rest of its life),
 * and the versions the open stream has reported, so a check that adds
 * nothing keeps the stream open instead of reopening it.
 *
 * @example
 * const mode = createStreamMode(transport, timers)
 * if (mode.active() && !mode.covers(known)) await mode.run(known, signal, apply)
 */
export function createStreamMode(transport: Transport, timers: TrackedTimers) {
  let fellBack = false
  let reported: Record<string, number | null> | undefined
  const fallBack = (why: string) => {
    if (fellBack) return
    fellBack = true
    console.warn(`[reality] ${why}: this store long-polls from now on. A proxy that buffers responses (compression, nginx proxy_buffering) is the usual cause.`)
  }
  return {
    /** True while the store streams; false once it fell back to long-poll. */
    active: () => !fellBack,
    /**
     * Whether the open stream already serves `known`: no key was added and
     * every key holds the version the stream reported. A key whose fetch
     * failed holds an older version, so the stream is reopened and the server
     * reports the change again (ARCHITECTURE.md C2).
     */
    covers(known: Record<string, number | null>): boolean {
      if (!reported) return false
      for (const key in known) if (reported[key] !== known[key]) return false
      return true
    },
    /**
     * Opens a stream for `known` and hands every answer to `onAnswer`.
     * Resolves `'ended'` when the server ends it, `'fallback'` when the first
     * answer did not come within {@link FIRST_LINE_MS} (or the transport cannot
     * stream); rejects like a sync request on failure.
     */
    async run(known: Record<string, number | null>, signal: AbortSignal, onAnswer: (response: SyncResponse) => void): Promise<'ended' | 'fallback'> {
      if (!transport.stream) {
        fallBack('The transport cannot stream')
        return 'fallback'
      }
      const own = new AbortController()
      const forward = () => own.abort()
      signal.addEventListener('abort', forward)
      let answered = false
      const cancelWatch = timers.after(FIRST_LINE_MS, () => {
        fallBack(`No streamed answer within ${FIRST_LINE_MS / 1000} s`)
        own.abort()
      })
      const current: Record<string, number | null> = Object.assign(Object.create(null), known)
      reported = current
      try {
        await transport.stream({ v: 1, known }, own.signal, (response) => {
          if (!answered) cancelWatch()
          answered = true
          for (const key in response.changed) current[key] = response.changed[key]!.version
          onAnswer(response)
        })
        return 'ended'
      } catch (error) {
        if (fellBack && !answered && !signal.aborted) return 'fallback'
        throw error
      } finally {
        cancelWatch()
        signal.removeEventListener('abort', forward)
        if (reported === current) reported = undefined
      }
    },
  }
}
