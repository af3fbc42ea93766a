/**
 * Side by side in one run, on this machine, everything on 127.0.0.1 with
 * its data in a temp dir: our 3-member KV cluster (processes, fsync on), a
 * 3-member etcd 3.4 and one durable redis-server (appendfsync always).
 * redis-benchmark drives ours and Redis; a Node gRPC client with the same
 * concurrency model (one request in flight per client) drives etcd. Figures:
 * single-client SET latency, writes and linearizable reads at 1 000
 * clients, their ratios to etcd's and Redis's, and failover (kill -9 of the
 * leader → the first SET through a client that follows the cluster, median
 * of several kills) with the fast and the default timing presets.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, printFigure, type BenchOptions, type Figure } from '@clusterfunk/core/bench'
import { freePorts } from '@clusterfunk/core/testing'
import { redisCli, until } from '../src/testing.js'
import { EtcdClient, etcdCluster, etcdIsLeader, type EtcdMember } from './etcd.js'
import { closedLoop, randomKey, redisBenchmark, type LoadResult } from './load.js'
import { MachineCluster } from './machine-cluster.js'
import { DurableRedis } from './redis-server.js'

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'ensure-bench-peers.sh')
const VALUE = Buffer.from('xxx')

/** Installs etcd-server, etcd-client, redis-server and redis-tools when missing; throws with the installer's reason otherwise. */
export function ensureBenchPeers (): void {
  try {
    execFileSync('bash', [SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    const e = err as { stderr?: Buffer, stdout?: Buffer, message: string }
    throw new Error(`the benchmark needs etcd (etcd-server, etcd-client) and redis-server and could not install them: ${e.stderr?.toString().trim() ?? ''} ${e.stdout?.toString().trim() ?? ''} (${e.message})`, { cause: err })
  }
}

async function etcdLeader (members: EtcdMember[]): Promise<number> {
  return await until('an etcd leader', 60_000, async () => {
    for (let i = 0; i < members.length; i++) {
      const m = members[i] as EtcdMember
      if (m.running && await etcdIsLeader(m.address).catch(() => false)) return i
    }
    return undefined
  })
}

/** kill -9 of etcd's leader → the first Put that succeeds through a survivor; then the member restarts over its data. */
async function etcdFailover (members: EtcdMember[]): Promise<number> {
  const victim = await etcdLeader(members)
  const survivors = members.filter((_, i) => i !== victim).map(m => new EtcdClient(m.address))
  try {
    const killed = performance.now()
    await members[victim]?.kill()
    const took = await until('an etcd Put after its leader was killed', 30_000, async () => {
      for (const c of survivors) {
        if (await c.put(Buffer.from('failover'), VALUE, 2000).then(() => true, () => false)) return performance.now() - killed
      }
      return undefined
    })
    members[victim]?.start('existing')
    const back = new EtcdClient((members[victim] as EtcdMember).address)
    try {
      await until('the restarted etcd member serves', 60_000, async () => { await back.get(Buffer.from('failover'), 2000); return true })
    } finally { back.close() }
    return took
  } finally {
    for (const c of survivors) c.close()
  }
}

export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  ensureBenchPeers()
  const clients = options.tiny ? 50 : 1000
  const n1 = options.tiny ? 100 : 3000
  const n = options.tiny ? 500 : 50_000
  const kills = options.tiny ? 1 : 5
  const dir = await mkdtemp(path.join(os.tmpdir(), 'machine-bench-'))
  const ports = await freePorts(19)
  const ours = new MachineCluster(ports.slice(0, 6), path.join(dir, 'machine-default'), 'default')
  const fast = new MachineCluster(ports.slice(6, 12), path.join(dir, 'machine-fast'), 'fast')
  const etcd = etcdCluster(ports.slice(12, 18), path.join(dir, 'etcd'))
  const redis = new DurableRedis(ports[18] as number, path.join(dir, 'redis'))
  let etcdClient: EtcdClient | undefined
  const ratio = (bench: string, a: number, b: number, goal: number | undefined, better: Figure['better']): void => {
    report({ bench, value: a / b, unit: 'x', ...(goal === undefined ? {} : { goal }), better })
  }
  try {
    for (const m of etcd) m.start('new')
    await redis.start()
    await ours.start()
    await until('redis-server', 30_000, async () => (await redisCli(redis.port, ['PING'])).trim() === 'PONG')
    const etcdAt = etcd[await etcdLeader(etcd)] as EtcdMember
    etcdClient = new EtcdClient(etcdAt.address, Math.min(clients, 100))
    const ec = etcdClient
    const leader = ours.port(await ours.leader())

    // One client: SET latency.
    const set1 = ['-t', 'set', '-c', '1', '-n', String(n1), '-r', '100000']
    const one = await redisBenchmark(leader, set1)
    const etcdOne = await closedLoop(1, n1, async () => { await ec.put(randomKey(), VALUE) })
    const redisOne = await redisBenchmark(redis.port, set1)
    report({ bench: 'machine.set.p50.1', value: one.p50, unit: 'ms', goal: 1.0, better: 'lower' })
    report({ bench: 'machine.set.p99.1', value: one.p99, unit: 'ms', better: 'lower' })
    report({ bench: 'etcd.set.p50.1', value: etcdOne.p50, unit: 'ms', better: 'lower' })
    report({ bench: 'etcd.set.p99.1', value: etcdOne.p99, unit: 'ms', better: 'lower' })
    report({ bench: 'redis_fsync.set.p50.1', value: redisOne.p50, unit: 'ms', better: 'lower' })
    ratio('machine.vs_etcd.p50.1', one.p50, etcdOne.p50, 0.8, 'lower')

    // Writes at `clients` concurrent clients.
    const setC = ['-t', 'set', '-c', String(clients), '-n', String(n), '-r', '100000']
    const writes = await redisBenchmark(leader, setC)
    const etcdWrites = await closedLoop(clients, n, async () => { await ec.put(randomKey(), VALUE) })
    const redisWrites = await redisBenchmark(redis.port, setC)
    report({ bench: `machine.writes.${clients}`, value: writes.rps, unit: 'writes/s', goal: Math.round(3 * etcdWrites.rps), better: 'higher' })
    report({ bench: `machine.writes.p99.${clients}`, value: writes.p99, unit: 'ms', goal: Number(etcdWrites.p99.toFixed(2)), better: 'lower' })
    report({ bench: `etcd.writes.${clients}`, value: etcdWrites.rps, unit: 'writes/s', better: 'higher' })
    report({ bench: `etcd.writes.p99.${clients}`, value: etcdWrites.p99, unit: 'ms', better: 'lower' })
    report({ bench: `redis_fsync.writes.${clients}`, value: redisWrites.rps, unit: 'writes/s', better: 'higher' })
    report({ bench: `redis_fsync.writes.p99.${clients}`, value: redisWrites.p99, unit: 'ms', better: 'lower' })
    ratio(`machine.vs_etcd.writes.${clients}`, writes.rps, etcdWrites.rps, 3, 'higher')
    ratio(`machine.vs_etcd.writes.p99.${clients}`, writes.p99, etcdWrites.p99, 1, 'lower')
    ratio(`machine.vs_redis_fsync.writes.${clients}`, writes.rps, redisWrites.rps, 0.5, 'higher')

    // Linearizable reads at `clients` clients (ours: ReadIndex; etcd: serializable=false).
    const reads: LoadResult = await redisBenchmark(leader, ['-t', 'get', '-c', String(clients), '-n', String(n), '-r', '100000'])
    const etcdReads = await closedLoop(clients, n, async () => { await ec.get(randomKey()) })
    report({ bench: `machine.reads.${clients}`, value: reads.rps, unit: 'reads/s', goal: Math.round(etcdReads.rps), better: 'higher' })
    report({ bench: `machine.reads.p99.${clients}`, value: reads.p99, unit: 'ms', better: 'lower' })
    report({ bench: `etcd.reads.${clients}`, value: etcdReads.rps, unit: 'reads/s', better: 'higher' })
    ratio(`machine.vs_etcd.reads.${clients}`, reads.rps, etcdReads.rps, 1, 'higher')
    etcdClient.close()
    etcdClient = undefined
    await redis.stop()

    // Failover, median of `kills` kill -9s of the leader each: etcd (its defaults), ours with the default and the fast preset.
    const etcdTimes: number[] = []
    for (let k = 0; k < kills; k++) etcdTimes.push(await etcdFailover(etcd))
    await Promise.all(etcd.map(async m => await m.stop()))
    const defaultTimes: number[] = []
    for (let k = 0; k < kills; k++) defaultTimes.push(await ours.failover())
    await ours.stop()
    await fast.start()
    const fastTimes: number[] = []
    for (let k = 0; k < kills; k++) fastTimes.push(await fast.failover())
    report({ bench: 'machine.failover.fast', value: median(fastTimes), unit: 'ms', goal: 400, better: 'lower' })
    report({ bench: 'machine.failover.default', value: median(defaultTimes), unit: 'ms', better: 'lower' })
    report({ bench: 'etcd.failover', value: median(etcdTimes), unit: 'ms', better: 'lower' })
  } finally {
    etcdClient?.close()
    await Promise.all([ours.stop(), fast.stop(), redis.stop(), ...etcd.map(async m => await m.stop())])
    await rm(dir, { recursive: true, force: true })
  }
}
