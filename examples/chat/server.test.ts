import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { call } from './test-http.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const children = new Set<ChildProcess>()

afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  children.clear()
})

/** Runs `npm run demo`'s entry the way npm does (tsx), capturing its output. */
function startEntry(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/chat/server.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, exited, output: () => ({ stdout, stderr }) }
}

// Each test starts a process (tsx, then esbuild bundling the page): slow on a busy machine.
describe('npm run demo (examples/chat/server.ts)', { timeout: 60_000 }, () => {
  it('prints the URL and the two-tab hint, serves, and stops cleanly on SIGTERM', async () => {
    const entry = startEntry({ PORT: '0' })
    // The two lines may arrive in separate chunks: wait for the second.
    await expect.poll(() => entry.output().stdout, { timeout: 45_000, interval: 50 }).toContain('Ctrl+C stops.')
    const { stdout } = entry.output()
    expect(stdout).toContain('two tabs')
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout)![0]
    expect((await call(url, '/api/messages')).status).toBe(200)

    entry.child.kill('SIGTERM')
    expect(await entry.exited).toBe(0)
    expect(entry.output().stdout).toContain('SIGTERM: stopping')
    await expect(fetch(new URL('/api/messages', url))).rejects.toThrow()
  })

  it('stops cleanly on SIGINT (Ctrl+C)', async () => {
    const entry = startEntry({ PORT: '0' })
    await expect.poll(() => entry.output().stdout, { timeout: 45_000, interval: 50 }).toContain('two tabs')
    entry.child.kill('SIGINT')
    expect(await entry.exited).toBe(0)
  })

  it('says which port is taken and how to pick another', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    try {
      const port = (blocker.address() as { port: number }).port
      const entry = startEntry({ PORT: String(port) })
      expect(await entry.exited).toBe(1)
      expect(entry.output().stderr).toContain(`Port ${port} is already in use. Pick another one: PORT=4000 npm run demo`)
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
  })

  it('refuses a PORT that is not a port, saying why', async () => {
    const entry = startEntry({ PORT: 'eighty' })
    expect(await entry.exited).toBe(1)
    expect(entry.output().stderr).toContain('PORT must be an integer from 0 to 65535, got "eighty"')
  })
})
