/**
 * The chaos suite (ARCHITECTURE.md C2, C7, S1–S3 under faults): three real
 * server processes behind a random non-sticky balancer, first on a private
 * Redis, then on PostgreSQL; real stores (`createStore` over the real http
 * transport) watching shared keys; writes through the instances while
 * faults are injected one after another. After each fault a probe write
 * goes to every key and the time until every store holds it is the fault's
 * convergence time.
 *
 * Checked: no instance process dies unexpectedly; 0 lost updates (every
 * store ends holding every key's last write, within `convergeMs`); no
 * version a store holds ever goes back; sync requests per store per second
 * stay under `writes per second + 2` (no storm); `destroy()` leaves every
 * `debug()` at zero; every instance's `stats()` and pg pool back to zero;
 * everything stops by itself.
 */
import pg from 'pg'
import { createStore } from '../../store/create-store.js'
import type { Store } from '../../store/types.js'
import { startBalancer, type Balancer } from './balancer.js'
import { getJson, removeInstanceBundle, sleep, startInstance, stopInstance, type Instance } from './instance-process.js'
import { startRedisProcess, type RedisProcess } from '../redis-process.js'

/**
 * Size of a run.
 *
 * @example
 * const ci: ChaosProfile = { stores: 10, keys: 4, writesPerFault: 25, convergeMs: 30_000 }
 */
export interface ChaosProfile {
  stores: number
  keys: number
  /** Writes spread over each fault (plus one probe write per key after it). */
  writesPerFault: number
  /** Longest allowed time from a fault's end (and its probe writes) until every store holds every last write. */
  convergeMs: number
  /** Which faults run on each backend (all that apply when omitted). */
  faults?: Partial<Record<'redis' | 'postgres', FaultName[]>>
  /** Which version stores (both when omitted). */
  backends?: ('redis' | 'postgres')[]
}

/** The faults, by name. */
export type FaultName =
  | 'kill -9 + restart'
  | 'SIGSTOP 3 s + SIGCONT'
  | 'redis killed, restarted empty'
  | '503 burst'
  | 'HTML 200 / truncated 200'
  | '404 from one instance'
  | 'backend termination storm'

/**
 * A 404 is a refusal a retry will not fix (ARCHITECTURE.md C7): a store that
 * gets one goes to `error` and retries by itself after 45–75 s
 * (store/sync/retry-policy.ts ERROR_RETRY), so that fault's bound is longer.
 */
const ERROR_RETRY_BOUND_MS = 75_000

/**
 * What a run measured, per backend.
 *
 * @example
 * report.phases[0].convergence // [{ fault: 'kill -9 + restart', ms: 2300 }, …]
 */
export interface ChaosReport {
  phases: {
    backend: 'redis' | 'postgres'
    convergence: { fault: FaultName; ms: number }[]
    writes: number
    seconds: number
    syncRequestsPerStorePerSecond: number
    writesPerSecond: number
    problems: string[]
  }[]
}

/** Runs the suite for each backend; throws nothing itself — problems are reported. */
export async function runChaos(profile: ChaosProfile, log: (line: string) => void = () => {}): Promise<ChaosReport> {
  const report: ChaosReport = { phases: [] }
  try {
    for (const backend of profile.backends ?? ['redis', 'postgres']) report.phases.push(await runPhase(backend, profile, log))
  } finally {
    await removeInstanceBundle()
  }
  return report
}

async function runPhase(backend: 'redis' | 'postgres', profile: ChaosProfile, log: (line: string) => void): Promise<ChaosReport['phases'][number]> {
  const run = `${process.pid}_${Date.now() % 1e6}`
  const problems: string[] = []
  const convergence: { fault: FaultName; ms: number }[] = []
  let redis: RedisProcess | undefined
  let admin: pg.Pool | undefined
  const appName = `reality_chaos_${run}`
  const table = `reality_chaos_${run}`
  const env: Record<string, string> = { CHAOS_BACKEND: backend }
  if (backend === 'redis') {
    redis = await startRedisProcess()
    Object.assign(env, { CHAOS_REDIS_URL: redis.url, CHAOS_PREFIX: `{chaos-${run}}` })
  } else {
    const url = process.env.REALITY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
    admin = new pg.Pool({ connectionString: url, max: 2, application_name: `${appName}_admin` })
    admin.on('error', () => {})
    Object.assign(env, { CHAOS_POSTGRES_URL: url, CHAOS_TABLE: table, CHAOS_APP_NAME: appName })
  }
  const instances: Instance[] = []
  for (let i = 0; i < 3; i++) instances.push(await startInstance(env))
  const balancer: Balancer = await startBalancer()
  balancer.setBackends(instances.map((instance) => instance.port))
  const keys = Array.from({ length: profile.keys }, (_, i) => `chaos:${i}`)
  const lastWritten = new Map<string, number>()
  let writes = 0

  async function write(key: string): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        const { version } = await getJson(`${balancer.url}/write?key=${encodeURIComponent(key)}`, { method: 'POST' })
        if (version > (lastWritten.get(key) ?? 0)) lastWritten.set(key, version)
        writes++
        return
      } catch {
        await sleep(100) // that instance is down or frozen: another one takes the retry
      }
    }
    problems.push(`a write to ${key} never succeeded`)
  }

  // Stores, each watching every key; a version that goes back is a problem.
  const stores: Store[] = []
  const versionsHeld: (() => number)[][] = []
  const unsubscribes: (() => void)[] = []
  for (let s = 0; s < profile.stores; s++) {
    const store = createStore({ endpoint: `${balancer.url}/reality/sync`, wait: 8_000, timeout: 4_000 })
    stores.push(store)
    const held: (() => number)[] = []
    versionsHeld.push(held)
    for (const key of keys) {
      let highest = 0
      const handle = store.node(key, {
        fetcher: async (name, { signal }) => getJson(`${balancer.url}/data?key=${encodeURIComponent(name)}`, { signal }) as Promise<{ version: number }>,
      })
      held.push(() => handle.get().version ?? 0)
      unsubscribes.push(
        handle.subscribe((state) => {
          if (state.version === null) return
          if (state.version < highest) problems.push(`store ${s} went back on ${key}: ${state.version} < ${highest}`)
          highest = Math.max(highest, state.version)
        }),
      )
    }
  }

  const allHold = () => versionsHeld.every((held) => keys.every((key, index) => held[index]!() >= (lastWritten.get(key) ?? 1)))
  /** Before any fault: every store holds every key's first write. */
  async function settle(): Promise<void> {
    for (const key of keys) await write(key)
    const started = Date.now()
    while (!allHold() && Date.now() - started < profile.convergeMs) await sleep(20)
    if (!allHold()) problems.push('the stores never got the first writes')
  }
  async function converge(fault: FaultName): Promise<void> {
    for (const key of keys) await write(key) // the probe: one more write to every key
    const started = Date.now()
    const bound = profile.convergeMs + (fault === '404 from one instance' ? ERROR_RETRY_BOUND_MS : 0)
    while (!allHold()) {
      if (Date.now() - started > bound) {
        problems.push(`after "${fault}", not every store held every last write within ${bound} ms (lost update)`)
        break
      }
      await sleep(20)
    }
    const ms = Date.now() - started
    convergence.push({ fault, ms })
    log(`[chaos] ${backend}: converged after "${fault}" in ${ms} ms`)
  }
  async function writesDuring(ms: number): Promise<void> {
    const gap = ms / profile.writesPerFault
    for (let i = 0; i < profile.writesPerFault; i++) {
      void write(keys[i % keys.length]!)
      await sleep(gap)
    }
  }
  async function restart(index: number, signal: NodeJS.Signals): Promise<void> {
    await stopInstance(instances[index]!, signal)
    await sleep(500)
    instances[index] = await startInstance(env)
    balancer.setBackends(instances.map((instance) => instance.port))
  }

  const faults: Record<FaultName, () => Promise<void>> = {
    'kill -9 + restart': () => Promise.all([restart(0, 'SIGKILL'), writesDuring(2_000)]).then(() => {}),
    'SIGSTOP 3 s + SIGCONT': async () => {
      instances[1]!.child.kill('SIGSTOP')
      await writesDuring(3_000)
      instances[1]!.child.kill('SIGCONT')
    },
    'redis killed, restarted empty': async () => {
      await redis!.kill()
      await writesDuring(1_000) // fail and are retried
      await redis!.start()
      await sleep(500)
    },
    '503 burst': async () => {
      balancer.overload(2_000, 1)
      await writesDuring(2_000)
    },
    '404 from one instance': async () => {
      balancer.misroute(2, '404', 1_500)
      await writesDuring(1_500)
    },
    'HTML 200 / truncated 200': async () => {
      balancer.misroute(2, 'html', 1_500)
      await writesDuring(1_500)
      balancer.misroute(2, 'truncated', 1_500)
      await writesDuring(1_500)
    },
    'backend termination storm': async () => {
      const storm = (async () => {
        for (let i = 0; i < 15; i++) {
          await admin!.query('SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1', [appName]).catch(() => {})
          await sleep(200)
        }
      })()
      await Promise.all([storm, writesDuring(3_000)])
    },
  }
  const applicable = (Object.keys(faults) as FaultName[]).filter((name) => {
    const chosen = profile.faults?.[backend]
    if (chosen && !chosen.includes(name)) return false
    if (name === 'redis killed, restarted empty') return backend === 'redis'
    if (name === 'backend termination storm') return backend === 'postgres'
    return true
  })

  const started = Date.now()
  const syncBefore = balancer.syncRequests()
  await settle()
  for (const name of applicable) {
    log(`[chaos] ${backend}: ${name}`)
    const faultStarted = Date.now()
    await faults[name]()
    log(`[chaos] ${backend}: "${name}" injected in ${Date.now() - faultStarted} ms`)
    await converge(name)
  }
  const seconds = (Date.now() - started) / 1000
  const syncRequestsPerStorePerSecond = (balancer.syncRequests() - syncBefore) / profile.stores / seconds
  const writesPerSecond = writes / seconds
  if (syncRequestsPerStorePerSecond > writesPerSecond + 2) {
    problems.push(`${syncRequestsPerStorePerSecond.toFixed(2)} sync requests per store per second for ${writesPerSecond.toFixed(2)} writes per second: a storm`)
  }

  // Cleanup, checked.
  for (const unsubscribe of unsubscribes) unsubscribe()
  for (const [index, store] of stores.entries()) {
    store.destroy()
    const debug = store.debug() as unknown as Record<string, number>
    if (Object.values(debug).some((count) => count !== 0)) problems.push(`store ${index} left ${JSON.stringify(debug)} after destroy()`)
  }
  for (const instance of instances) if (instance.crashed) problems.push(instance.crashed)
  const idleDeadline = Date.now() + 20_000
  for (const instance of instances) {
    for (;;) {
      const body = await getJson(`http://127.0.0.1:${instance.port}/stats`).catch(() => undefined)
      const stats = body?.stats as Record<string, number> | undefined
      const busy = !stats || Object.values(stats).some((count) => count !== 0) || (body.pool && (body.pool.total !== body.pool.idle || body.pool.waiting !== 0))
      if (!busy) break
      if (Date.now() > idleDeadline) {
        problems.push(`instance ${instance.port} not idle after every store left: ${JSON.stringify(body)}`)
        break
      }
      await sleep(100)
    }
  }
  for (const instance of instances) await stopInstance(instance)
  for (const instance of instances) if (instance.child.exitCode !== 0) problems.push(`instance ${instance.port} exited with ${instance.child.exitCode ?? instance.child.signalCode} on SIGTERM`)
  await balancer.close()
  await redis?.stop()
  if (admin) {
    await admin.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {})
    await admin.query(`DROP SEQUENCE IF EXISTS ${table}_seq`).catch(() => {})
    await admin.end()
  }
  return { backend, convergence, writes, seconds, syncRequestsPerStorePerSecond, writesPerSecond, problems }
}
