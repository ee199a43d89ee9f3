/**
 * The chaos suite's server instances: real Node processes running
 * instance.ts (bundled once), started, stopped and watched for crashes.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const INSTANCE_SOURCE = fileURLToPath(new URL('./instance.ts', import.meta.url))
let instanceBundle: Promise<string> | undefined

/**
 * The instance script bundled once by esbuild into plain JavaScript, so a
 * restart after kill -9 takes a Node start (well under a second) instead
 * of a TypeScript load that takes many seconds on a loaded machine.
 */
function bundledInstance(): Promise<string> {
  return (instanceBundle ??= (async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'reality-chaos-')), 'instance.mjs')
    await build({ entryPoints: [INSTANCE_SOURCE], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['pg-native', 'cloudflare:sockets'], logLevel: 'silent', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } })
    return outfile
  })())
}
/** Deletes the bundle (the suite calls it when done); the next start bundles again. */
export async function removeInstanceBundle(): Promise<void> {
  if (instanceBundle) rmSync(dirname(await instanceBundle), { recursive: true, force: true })
  instanceBundle = undefined
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface Instance {
  port: number
  child: ChildProcess
  /** Set when the process exited without the suite asking. */
  crashed?: string
  expectExit: boolean
}

export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, [await bundledInstance()], { env: { ...process.env, ...env, CHAOS_PARENT: String(process.pid) }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-2000)))
  const instance: Instance = { port: 0, child, expectExit: false }
  child.once('exit', (code, signal) => {
    if (!instance.expectExit) instance.crashed = `instance on port ${instance.port} exited (${code ?? signal}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`
  })
  instance.port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk) => {
      out += chunk
      const line = out.split('\n').find((candidate) => candidate.startsWith('{'))
      if (line) resolve((JSON.parse(line) as { port: number }).port)
    })
    child.once('exit', () => reject(new Error(`instance exited at start: ${stderr}`)))
    setTimeout(() => reject(new Error(`instance did not start in 60 s: ${stderr}`)), 60_000)
  })
  return instance
}

export async function stopInstance(instance: Instance, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  instance.expectExit = true
  if (instance.child.exitCode !== null || instance.child.signalCode !== null) return
  const exited = new Promise((resolve) => instance.child.once('exit', resolve))
  instance.child.kill(signal)
  await Promise.race([exited, sleep(15_000).then(() => instance.child.kill('SIGKILL'))])
}

export async function getJson(url: string, init?: RequestInit): Promise<any> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) })
  if (!response.ok) throw new Error(`${response.status}`)
  return response.json()
}

