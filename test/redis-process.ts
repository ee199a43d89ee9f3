/**
 * Test helper: a private `redis-server` process on a free 127.0.0.1 port,
 * for tests that must kill, restart or reconfigure Redis (eviction, crash)
 * without touching the Redis other tests share. No persistence: a restart
 * comes back empty. Stopped by PID only.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import net from 'node:net'

/** Where Debian installs it; tests that need it skip (or fail under CI) without it. */
export const REDIS_SERVER_BINARY = process.env.REALITY_TEST_REDIS_SERVER ?? '/usr/bin/redis-server'

/**
 * A free TCP port on 127.0.0.1 (asked of the OS, then released).
 *
 * @example
 * const port = await freePort()
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/**
 * A private Redis; see the module comment.
 *
 * @example
 * const redis = await startRedisProcess(['--maxmemory', '2mb'])
 * await redis.kill() // SIGKILL, like a crash
 * await redis.start() // empty again, same port
 * await redis.stop()
 */
export interface RedisProcess {
  readonly port: number
  readonly url: string
  /** Starts it (again) on the same port, empty. */
  start(): Promise<void>
  /** SIGKILL and wait for the exit: a crash. */
  kill(): Promise<void>
  /** Same as kill; for cleanup. Idempotent. */
  stop(): Promise<void>
}

/** `undefined` when the binary exists; otherwise why tests that need it skip (throws under CI). */
export function redisServerMissing(): string | undefined {
  if (existsSync(REDIS_SERVER_BINARY)) return undefined
  const reason = `${REDIS_SERVER_BINARY} is not installed`
  if (process.env.CI) throw new Error(`${reason}; CI must run these tests (apt-get install redis-server).`)
  return reason
}

/**
 * Starts a private Redis on a free port with `extraArgs` (e.g. eviction
 * settings), without persistence.
 *
 * @example
 * const redis = await startRedisProcess(['--maxmemory', '4mb', '--maxmemory-policy', 'allkeys-lru'])
 */
export async function startRedisProcess(extraArgs: readonly string[] = []): Promise<RedisProcess> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning', ...extraArgs]

  async function start() {
    if (child) throw new Error('This Redis process is already running.')
    const started = spawn(REDIS_SERVER_BINARY, args, { stdio: 'ignore' })
    child = started
    started.once('exit', () => {
      if (child === started) child = undefined
    })
    // Ready once it accepts connections.
    const deadline = Date.now() + 10_000
    while (!(await accepts(port))) {
      if (!child) throw new Error(`redis-server on port ${port} exited at start.`)
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start in 10 s.`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  async function kill() {
    const running = child
    if (!running) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGKILL')
    await exited
  }

  await start()
  return { port, url: `redis://127.0.0.1:${port}`, start, kill, stop: kill }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}
