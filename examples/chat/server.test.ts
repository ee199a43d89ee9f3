/** `npm run demo`'s entry as a process: its banner, PORT/HOST, a busy port, stopping on signals. */
import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { startExampleProcess, stopExampleProcesses } from '../example-process.test-helper.js'
import { call } from './test-http.js'

afterEach(stopExampleProcesses)

const startDemo = (env: Record<string, string>) => startExampleProcess('examples/chat/server.ts', env)

// Each test starts a process (tsx, then esbuild bundling the page): slow on a busy machine.
describe('npm run demo (examples/chat/server.ts)', { timeout: 60_000 }, () => {
  it('prints the URL and the two-tab hint, serves, and stops cleanly on SIGTERM', async () => {
    const demo = startDemo({ PORT: '0' })
    const url = await demo.url(45_000)
    // The two lines may arrive in separate chunks: wait for the second.
    await expect.poll(() => demo.output().stdout, { timeout: 45_000, interval: 50 }).toContain('Ctrl+C stops.')
    expect(demo.output().stdout).toContain('two tabs')
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect((await call(url, '/api/messages')).status).toBe(200)

    expect(await demo.stop()).toBe(0)
    expect(demo.output().stdout).toContain('SIGTERM: stopping')
    await expect(fetch(new URL('/api/messages', url))).rejects.toThrow()
  })

  it('stops cleanly on SIGINT (Ctrl+C)', async () => {
    const demo = startDemo({ PORT: '0' })
    await expect.poll(() => demo.output().stdout, { timeout: 45_000, interval: 50 }).toContain('two tabs')
    demo.child.kill('SIGINT')
    expect(await demo.exited).toBe(0)
  })

  it('says which port is taken and how to pick another, without a stack trace', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    try {
      const port = (blocker.address() as { port: number }).port
      const demo = startDemo({ PORT: String(port) })
      expect(await demo.exited).toBe(1)
      const { stderr } = demo.output()
      expect(stderr).toContain(`Port ${port} is already in use`)
      expect(stderr).toMatch(/PORT=\d+ npm run demo, or PORT=0 for any free port/)
      expect(stderr).not.toMatch(/^\s+at /m)
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
  })

  it('refuses a PORT that is not a port, saying why', async () => {
    const demo = startDemo({ PORT: 'eighty' })
    expect(await demo.exited).toBe(1)
    expect(demo.output().stderr.trim()).toBe('PORT must be an integer from 0 to 65535, got "eighty".')
  })

  it('listens on HOST, and says so when the address is not one of this machine', async () => {
    const local = startDemo({ PORT: '0', HOST: '127.0.0.2' })
    const url = await local.url(45_000)
    expect(url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/$/)
    expect((await call(url, '/api/messages')).status).toBe(200)
    expect(await local.stop()).toBe(0)

    // TEST-NET-1 (RFC 5737): never assigned to a machine.
    const elsewhere = startDemo({ PORT: '0', HOST: '192.0.2.1' })
    expect(await elsewhere.exited).toBe(1)
    expect(elsewhere.output().stderr.trim()).toBe('HOST=192.0.2.1 is not an address of this machine. Use HOST=127.0.0.1 (this machine only) or HOST=0.0.0.0 (every interface).')
  })
})
