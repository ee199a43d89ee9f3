/**
 * Where a bench ran: machine, runtimes and the versions of every package the
 * figures compare, recorded next to the figures so they can be reproduced.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'

/** The run's environment. */
export interface MachineInfo {
  cpu: string
  cores: number
  memoryGiB: number
  os: string
  node: string
  bun: string
  deno: string
  commit: string
  date: string
  /** 1-minute load average when the run started (other work on the machine skews timings). */
  loadAverage: number
  packages: Record<string, string>
}

/** Packages whose versions the report records (peers and tools). */
export const RECORDED_PACKAGES = [
  '@preact/signals-core',
  'zod',
  '@tanstack/query-core',
  'swr',
  'nanostores',
  '@nanostores/query',
  'ws',
  'autocannon',
  'esbuild',
  'tsx',
  'bun',
  'deno',
] as const

function firstLine(file: string, args: string[], cwd: string): string {
  try {
    return execFileSync(file, args, { cwd, encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]!.trim()
  } catch (error) {
    return `unavailable (${(error as Error).message.split('\n')[0]})`
  }
}

/**
 * Installed version of a package under `root/node_modules`, or "not installed".
 *
 * @example
 * installedVersion('/work/main', 'zod') // '4.1.12'
 */
export function installedVersion(root: string, name: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    return 'not installed'
  }
}

/**
 * Collects machine, runtime and package versions for the report.
 *
 * @example
 * const info = describeMachine(process.cwd())
 * info.cores // 2
 */
export function describeMachine(root: string): MachineInfo {
  const cpus = os.cpus()
  const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string }
  const packages: Record<string, string> = { [own.name]: `${own.version} (this checkout)` }
  for (const name of RECORDED_PACKAGES) packages[name] = installedVersion(root, name)
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    bun: firstLine(join(root, 'node_modules/.bin/bun'), ['--version'], root),
    deno: firstLine(join(root, 'node_modules/.bin/deno'), ['--version'], root),
    commit: firstLine('git', ['rev-parse', '--short', 'HEAD'], root),
    date: new Date().toISOString(),
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
    packages,
  }
}
