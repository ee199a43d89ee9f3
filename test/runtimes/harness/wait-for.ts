/**
 * Polls a condition until it holds — the way the runtime tests wait for
 * processes and held requests instead of sleeping a fixed time.
 */

/**
 * Options of {@link waitFor}.
 *
 * @example
 * const options: WaitForOptions = { timeoutMs: 30_000, what: 'the server to answer' }
 */
export interface WaitForOptions {
  /** Generous upper bound; reaching it means something hung, not that it was slow. */
  timeoutMs: number
  /** Named in the timeout error. */
  what: string
  /** Delay between checks. */
  intervalMs?: number
}

/**
 * Resolves once `condition()` returns (or resolves to) true; rejects after `timeoutMs`.
 *
 * @example
 * await waitFor(() => child.exitCode !== null, { timeoutMs: 60_000, what: 'child to exit' })
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, options: WaitForOptions): Promise<void> {
  const { timeoutMs, what, intervalMs = 20 } = options
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await condition()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
