import type { ChangedEntry } from '../protocol/types.js'
import { readChanged, StoreUnavailableError, toChanged, type AnswerContext } from './answer.js'
import { Hold } from './hold.js'

/**
 * How long streams live and how often they prove they are alive.
 *
 * @example
 * const timing: StreamTiming = { maxStream: 300_000, heartbeat: 15_000 }
 */
export interface StreamTiming {
  /** A stream ends after this many ms (the client opens a new one); `0` ends it after the first answer. */
  maxStream: number
  /** A line is written at least this often, so proxies keep the connection and clients see it alive. */
  heartbeat: number
}

/**
 * Turns what changed into text on the wire: NDJSON lines (`server/stream.ts`)
 * or Server-Sent Events (`server/event-stream.ts`).
 *
 * @example
 * const format: StreamFormat = { changes: (changed) => JSON.stringify({ v: 1, changed: changed ?? {} }) + '\n', heartbeat: '{"v":1,"changed":{}}\n' }
 */
export interface StreamFormat {
  /**
   * The text for `changed` (`undefined` when nothing differs), or `undefined`
   * to write nothing. `first` is the answer written when the stream opens;
   * `sent` already holds the versions of `changed`.
   */
  changes(changed: Record<string, ChangedEntry> | undefined, first: boolean, sent: Readonly<Record<string, number | null>>): string | undefined
  /** Written when nothing else was for `heartbeat` ms. */
  heartbeat: string
}

/**
 * Writes one chunk of text; resolves when the consumer can take more
 * (back-pressure), or at once when the client is gone.
 *
 * @example
 * const write: StreamWrite = (text) => writeWithBackpressure(res, text)
 */
export type StreamWrite = (text: string) => Promise<void>

/**
 * A streamed answer body: `run` writes until the stream's lifetime ends, the
 * client goes away or the server closes; `stop` ends it early (the
 * consumer cancelled) and releases everything even if `run` never started.
 *
 * @example
 * output.stream.run((text) => writeWithBackpressure(res, text)).then(() => res.end())
 */
export interface StreamBody {
  run(write: StreamWrite): Promise<void>
  stop(): void
}

/**
 * One streamed connection (ARCHITECTURE.md S1, S3). It is a {@link Hold}
 * whose `known` is what this connection has sent so far: every answer
 * written moves `sent` forward, so a key that changes twice wakes it twice
 * and is written twice. Nothing outlives the response. Like a long-poll it
 * registers and subscribes before its first read (no change is lost between
 * the read and the wait), counts in `server.stats()` (held, timers,
 * listeners) and ends at server close.
 */
class ChangeStream implements StreamBody {
  private heartbeatTimer: ReturnType<typeof setTimeout> | undefined
  private heartbeatDue = false
  private running = false
  private finished = false

  constructor(
    private readonly context: AnswerContext,
    private readonly timing: StreamTiming,
    private readonly format: StreamFormat,
    private readonly hold: Hold,
    private readonly keys: readonly string[],
    private readonly sent: Record<string, number | null>,
    private first: Record<string, ChangedEntry> | undefined,
    private readonly report: (error: unknown) => void,
  ) {}

  async run(write: StreamWrite): Promise<void> {
    if (this.running || this.finished) return
    this.running = true
    const { context, hold, keys, sent, format } = this
    try {
      let changed = this.first
      this.first = undefined
      let first = true
      for (;;) {
        if (changed) for (const key in changed) sent[key] = changed[key]!.version
        const text = format.changes(changed, first, sent) ?? (this.heartbeatDue ? format.heartbeat : undefined)
        first = false
        if (text !== undefined) {
          this.armHeartbeat()
          await write(text)
        }
        const outcome = await hold.next()
        if (outcome !== 'wake') return
        changed = toChanged(await readChanged(context.store, keys, sent))
      }
    } catch (error) {
      // The headers are sent: a failing store ends the stream and the
      // client's next request gets the 503.
      this.report(error instanceof StoreUnavailableError ? error.cause : error)
    } finally {
      this.finish()
    }
  }

  stop(): void {
    if (this.running) this.hold.cancel()
    else this.finish()
  }

  private armHeartbeat(): void {
    this.heartbeatDue = false
    if (this.heartbeatTimer !== undefined) clearTimeout(this.heartbeatTimer)
    else this.context.counters.timers++
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeatTimer = undefined
      this.context.counters.timers--
      this.heartbeatDue = true
      this.hold.wake()
    }, this.timing.heartbeat)
  }

  private finish(): void {
    if (this.finished) return
    this.finished = true
    if (this.heartbeatTimer !== undefined) {
      clearTimeout(this.heartbeatTimer)
      this.heartbeatTimer = undefined
      this.context.counters.timers--
    }
    this.context.registry.remove(this.hold)
    this.hold.release()
  }
}

/**
 * Opens a change stream for `keys` starting from the versions in `known`:
 * registers and reads before anything is answered, so a failing version
 * store still gets a 503 (rejects with {@link StoreUnavailableError}).
 * The first answer is written as soon as the body runs, even when nothing
 * differs, so the client knows at once that streaming works.
 *
 * @example
 * const body = await openChangeStream(context, timing, ndjsonFormat(denied), ['a'], { a: 3 }, request.signal, report)
 */
export async function openChangeStream(
  context: AnswerContext,
  timing: StreamTiming,
  format: StreamFormat,
  keys: string[],
  known: Readonly<Record<string, number | null>>,
  signal: AbortSignal,
  report: (error: unknown) => void,
): Promise<StreamBody> {
  const sent: Record<string, number | null> = Object.create(null)
  for (const key of keys) sent[key] = known[key] ?? null
  const hold = new Hold(timing.maxStream, signal, context.counters, context.deadlines)
  const stream = (first: Record<string, ChangedEntry> | undefined) => new ChangeStream(context, timing, format, hold, keys, sent, first, report)
  try {
    if (keys.length > 0) {
      // The watch group keeps the versions the stream opened with; a key the
      // stream has since sent wakes it on every later change, which is
      // re-read against `sent` (a superset of wake-ups, never a lost one).
      context.registry.add(hold, keys, known)
      try {
        await context.registry.subscribed()
      } catch (error) {
        throw new StoreUnavailableError(error)
      }
    }
    return stream(toChanged(await readChanged(context.store, keys, sent)))
  } catch (error) {
    stream(undefined).stop()
    throw error
  }
}
