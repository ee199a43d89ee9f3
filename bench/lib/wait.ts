/**
 * Waiting for conditions in benches: poll a condition with a deadline, and
 * wait for a quiet period (no new requests) before counting.
 */

/**
 * Resolves once `condition()` is true; rejects after `timeoutMs` saying `what`.
 *
 * @example
 * await until(() => handle.get().version !== null, 'first data', 10_000)
 */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000, everyMs = 5): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/**
 * Resolves once nothing happened for `quietMs` (per `lastEventAt`, ms of
 * performance.now()) and `condition()` holds.
 *
 * @example
 * await settled(() => server.lastRequestAt(), () => server.reality.stats().held === 1, 'a held poll')
 */
export async function settled(lastEventAt: () => number, condition: () => boolean, what: string, quietMs = 150, timeoutMs = 20_000): Promise<void> {
  await until(() => performance.now() - lastEventAt() >= quietMs && condition(), what, timeoutMs)
}
