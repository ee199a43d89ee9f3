/**
 * The harness itself: `stop()` must catch a process that leaves something
 * running in its group, and a process that dies before READY must be
 * reported with its output — otherwise the runtime tests could pass while
 * leaking workerd or hiding a crash.
 */
import { describe, expect, it } from 'vitest'
import { startRuntime } from './runtime-process.js'

describe('startRuntime', () => {
  it('reports the port printed as READY and stops a well-behaved process', async () => {
    const running = await startRuntime({ command: 'sh', args: ['-c', 'echo READY 4242; exec sleep 60'], cwd: process.cwd() })
    expect(running.origin).toBe('http://127.0.0.1:4242')
    expect(await running.stop()).toEqual({ exitCode: null, signal: 'SIGTERM' })
  })

  it('fails stop() when a child outlives the process (an orphan), then kills the group', async () => {
    // The shell dies on SIGTERM; its background sleep stays in the group for 60 s unless killed.
    const running = await startRuntime({
      command: 'sh',
      args: ['-c', 'sleep 60 & echo READY 4243; wait'],
      cwd: process.cwd(),
      shutdownTimeoutMs: 1_000,
    })
    await expect(running.stop()).rejects.toThrow(/orphans left in process group/)
  })

  it('rejects with the output when the process exits before READY', async () => {
    await expect(
      startRuntime({ command: 'sh', args: ['-c', 'echo boom >&2; exit 3'], cwd: process.cwd() }),
    ).rejects.toThrow(/did not start: exited before READY.*"exitCode":3[\s\S]*boom/)
  })
})
