/**
 * Setup file of every happy-dom test project (bindings/<framework>/vitest.config.ts).
 *
 * happy-dom 20's `fetch`, when its signal aborts, destroys its Node request;
 * Node then reports that request as `socket hang up` (ECONNRESET), and
 * happy-dom prints that error with `console.error` — after the fetch has
 * already rejected with the `AbortError` the caller asked for. A browser
 * prints nothing for an aborted fetch, and every store destroyed in a test
 * aborts its held long-poll, so each one left a stack trace with no test name.
 * Errors of fetches whose signal did NOT abort are still printed (and the
 * fetch still rejects): only the echo of our own abort is dropped.
 *
 * @example
 * // bindings/react/vitest.config.ts
 * test: { environment: 'happy-dom', setupFiles: ['test/happy-dom-fetch-abort.ts'] }
 */
import Fetch from 'happy-dom/lib/fetch/Fetch.js'

interface HappyDomFetch {
  request: { signal: AbortSignal }
  onError(error: Error): void
}

const prototype = Fetch.prototype as unknown as HappyDomFetch
const reportError = prototype.onError
prototype.onError = function onError(this: HappyDomFetch, error: Error): void {
  if (this.request.signal.aborted) return
  reportError.call(this, error)
}
