/**
 * The same `reality/server` handler, bundled once per runtime from the repo's
 * `server/index.ts`, serves real HTTP on 127.0.0.1 in Node, Bun, Deno and
 * workerd: sync, held long-poll, invalidate, wake, NDJSON streams, Server-Sent
 * Events and the JSON GET — then the process stops
 * and leaves nothing behind.
 *
 * Under CI=true every runtime must run. Elsewhere a runtime whose binary
 * cannot start is skipped with the reason in the test name.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleFixture } from './harness/bundle.js'
import { startRuntime } from './harness/runtime-process.js'
import { runtimeSpecs } from './harness/runtimes.js'
import { runStreamScenario } from './harness/stream-scenario.js'
import { runSyncScenario } from './harness/sync-scenario.js'

const inCI = process.env.CI === 'true'
/** Startup of a cold runtime on two shared cores can be slow; this bounds a hang, not speed. */
const RUNTIME_TEST_TIMEOUT_MS = 180_000

describe('reality/server in real runtimes', () => {
  let bundleDir: string

  beforeAll(() => {
    bundleDir = mkdtempSync(join(tmpdir(), 'reality-runtimes-'))
  })
  afterAll(() => {
    rmSync(bundleDir, { recursive: true, force: true })
  })

  for (const spec of runtimeSpecs) {
    const runtime = spec.resolve()
    if (!runtime.available && !inCI) {
      console.warn(`[runtimes] skipping ${spec.name}: ${runtime.reason}`)
      it.skip(`${spec.name}: skipped — ${runtime.reason}`, () => {})
      continue
    }

    it(`${spec.name}: serves sync, wakes a held long-poll on invalidate, streams NDJSON and SSE, stops without orphans`, async () => {
      // Under CI an unavailable runtime is a failure, never a skip.
      if (!runtime.available) throw new Error(`${spec.name} unavailable under CI=true: ${runtime.reason}`)

      const dir = mkdtempSync(join(bundleDir, `${spec.name}-`))
      const file = await bundleFixture(spec.entry, dir, spec.platform)
      if (spec.alsoBundle) await bundleFixture(spec.alsoBundle.entry, dir, spec.alsoBundle.platform)

      const startedAt = performance.now()
      const running = await startRuntime(runtime.command(dir, file))
      const startMs = performance.now() - startedAt
      let stopped = false
      try {
        const timings = await runSyncScenario(running.origin)
        await runStreamScenario(running.origin)
        const stopStart = performance.now()
        const exit = await running.stop()
        stopped = true
        const stopMs = performance.now() - stopStart
        // SIGTERM ends Bun, Deno and Node by signal; Miniflare's exit hook stops workerd and exits 128 + 15.
        expect(exit.signal === 'SIGTERM' || exit.exitCode === 143, JSON.stringify(exit)).toBe(true)
        console.log(
          `[runtimes] ${runtime.version}: start ${startMs.toFixed(0)} ms, sync ${timings.syncMs.toFixed(1)} ms, ` +
            `wake ${timings.wakeMs.toFixed(1)} ms, stop ${stopMs.toFixed(0)} ms`,
        )
      } catch (error) {
        throw new Error(`${(error as Error).message}\n--- ${spec.name} output ---\n${running.output()}`, { cause: error })
      } finally {
        if (!stopped) await running.stop().catch(() => {})
      }
    }, RUNTIME_TEST_TIMEOUT_MS)
  }
})
