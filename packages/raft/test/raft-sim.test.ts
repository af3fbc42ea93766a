import { expect } from 'chai'
import type { Random } from '@clusterfunk/core'
import { Simulation, runSeeds, type CrashMode } from '@clusterfunk/sim'
import type { NodeId } from '../src/index.js'
import { checkLinearizable, kvModel } from '../src/sim.js'
import { SimClients } from './helpers/sim-clients.js'
import { SimCluster } from './helpers/sim-cluster.js'
import { SimInvariants } from './helpers/sim-invariants.js'
import type { ApplyObserver } from './helpers/sim-kv.js'

interface Totals { seeds: number, ok: number, unknown: number, crashes: number, restarts: number, terms: number, checks: number, snapshots: number, installs: number, dropped: number, duplicated: number, reordered: number, steps: number }

const CLIENT_MS = 4_000
const FAULT_MS = 3_300

async function sleep (sim: Simulation, ms: number): Promise<void> {
  await new Promise<void>(resolve => { sim.setTimeout(resolve, ms) })
}

/** Partitions (two-way and one-way), isolated leaders, heals and crashes with restarts, until `until`; then heals and restarts all. */
async function injectFaults (sim: Simulation, cluster: SimCluster, random: Random, until: number, errors: Error[]): Promise<void> {
  const restart = (id: NodeId): void => { cluster.restart(id).catch((err: Error) => { errors.push(err) }) }
  while (sim.now() < until) {
    await sleep(sim, random.int(100, 500))
    const r = random.float()
    const ids = random.shuffle([...cluster.ids])
    if (r < 0.2) {
      const cut = random.int(1, ids.length - 1)
      cluster.partitions.partition(ids.slice(0, cut), ids.slice(cut), { oneWay: random.chance(0.3) })
    } else if (r < 0.3) {
      const leader = cluster.leader()
      if (leader !== undefined) cluster.partitions.isolate(leader)
    } else if (r < 0.5) {
      cluster.partitions.heal()
    } else if (r < 0.8) {
      const victim = random.chance(0.5) ? cluster.leader() ?? (ids[0] as NodeId) : ids[0] as NodeId
      const mode: CrashMode = random.chance(0.5) ? 'prefix' : 'all'
      cluster.crash(victim, mode)
      sim.setTimeout(() => { restart(victim) }, random.int(20, 600))
    }
  }
  cluster.partitions.heal()
  for (const id of cluster.ids) if (!cluster.live.has(id)) await cluster.restart(id)
}

/**
 * A targeted fault: at moments when every follower holds writes it has not
 * synced yet, crash them all (losing those writes) and cut the leader off,
 * so the next leader is elected from exactly what the followers made
 * durable. A follower that acknowledged before its write was durable loses
 * a committed entry here. At most `times` times a run.
 */
async function crashUnsyncedFollowers (sim: Simulation, cluster: SimCluster, random: Random, until: number, times: number, errors: Error[]): Promise<void> {
  let fired = 0
  while (sim.now() < until && fired < times) {
    await sleep(sim, random.int(1, 5))
    const leader = cluster.leader()
    if (leader === undefined || cluster.live.size !== cluster.ids.length || !random.chance(0.2)) continue
    const followers = cluster.ids.filter(id => id !== leader)
    if (!followers.every(id => (cluster.disks.get(id)?.stats.unsynced ?? 0) > 0)) continue
    fired++
    cluster.partitions.isolate(leader)
    for (const id of followers) {
      cluster.crash(id, 'all')
      sim.setTimeout(() => { cluster.restart(id).catch((err: Error) => { errors.push(err) }) }, random.int(5, 50))
    }
    await sleep(sim, random.int(300, 600))
    cluster.partitions.heal()
  }
}

/**
 * One seed: `size` whole Raft nodes (SimTransport, SimLogStore, SimSnapshotStore)
 * under a lossy, duplicating, reordering network with partitions and crashes,
 * three KV clients, invariants after every event, linearizability at the end.
 */
async function scenario (sim: Simulation, size: number, totals: Totals): Promise<string> {
  const cluster: SimCluster = new SimCluster(sim, {
    size,
    lossRate: 0.05,
    duplicateRate: 0.03,
    reorderRate: 0.05,
    // Mostly a fast fsync, sometimes a slow one: the window in which a crash loses an unsynced write.
    syncDelayMs: r => r.chance(0.1) ? r.int(5, 40) : 0.2 + 3 * r.float(),
    raft: { preset: 'fast', snapshotThreshold: 25, trailingLogs: 5, requestTimeoutMs: 2_000 }
  }, (id): ApplyObserver => inv.observer(id)) // called from start(), below, once inv exists
  const inv: SimInvariants = new SimInvariants(cluster)
  for (const id of cluster.ids) await cluster.start(id)
  const configuration = cluster.configuration()
  await sim.resolve(Promise.all([...cluster.live.values()].map(async n => { await n.raft.bootstrap(configuration) })), { maxMs: 1_000 })

  const clients = new SimClients(sim, cluster)
  const errors: Error[] = []
  let done = false
  const work = Promise.all([
    clients.run(3, CLIENT_MS),
    injectFaults(sim, cluster, sim.fork('faults'), FAULT_MS, errors),
    crashUnsyncedFollowers(sim, cluster, sim.fork('targeted'), FAULT_MS, 2, errors)
  ]).finally(() => { done = true })
  work.catch(() => {})
  expect(await sim.runUntilAsync(() => { inv.check(); return done }, { maxMs: CLIENT_MS + 10_000 }), 'clients and faults finish').to.equal(true)
  await work
  if (errors.length > 0) throw errors[0] as Error

  // Quiet network, everyone up: the cluster must converge on one applied state holding every committed entry.
  const converged = (): boolean => {
    const leader = cluster.node(cluster.leader())
    if (leader === undefined || cluster.live.size !== size) return false
    const s = leader.raft.stats()
    return s.commitIndex === s.lastIndex && s.commitIndex >= inv.commitIndex && [...cluster.live.values()].every(n => n.raft.stats().appliedIndex === s.commitIndex)
  }
  expect(await sim.runUntilAsync(() => { inv.check(); return converged() }, { maxMs: 20_000 }), 'the cluster converges once faults stop').to.equal(true)

  const result = checkLinearizable(kvModel, clients.history)
  if (result.verdict !== 'ok') {
    const ops = (result.failing ?? []).slice(-30).map(op => `  ${kvModel.describe?.(op) ?? ''}`)
    const what = result.verdict === 'illegal' ? 'not linearizable; the shortest failing prefix of the key\'s history ends' : 'too hard to check; the key\'s history ends'
    throw new Error(`the client history is ${what}:\n${ops.join('\n')}`)
  }
  totals.seeds++
  totals.ok += clients.stats.ok
  totals.unknown += clients.stats.unknown
  totals.crashes += cluster.crashes
  totals.restarts += cluster.restarts
  totals.terms += inv.terms
  totals.checks += inv.checks
  totals.steps += result.steps
  totals.snapshots += [...cluster.disks.values()].reduce((n, d) => n + d.list('snapshots/').filter((p: string) => p.endsWith('.meta')).length, 0)
  totals.installs += [...cluster.live.values()].reduce((n, inc) => n + inc.fsm.restores, 0)
  const ps = cluster.packets.stats
  totals.dropped += ps.dropped.loss + ps.dropped.partition
  totals.duplicated += ps.duplicated
  totals.reordered += ps.reordered
  await cluster.stopAll()
  return JSON.stringify(clients.history)
}

function newTotals (): Totals {
  return { seeds: 0, ok: 0, unknown: 0, crashes: 0, restarts: 0, terms: 0, checks: 0, snapshots: 0, installs: 0, dropped: 0, duplicated: 0, reordered: 0, steps: 0 }
}

describe('whole Raft nodes in the deterministic simulator', () => {
  it('replay a seed exactly: the same trace and the same client history', async () => {
    const runs: string[] = []
    for (let i = 0; i < 2; i++) {
      const sim = new Simulation({ seed: 7 })
      const history = await scenario(sim, 3, newTotals())
      runs.push(`${sim.trace.hash()} ${history}`)
    }
    expect(runs[0]).to.have.length.greaterThan(1000)
    expect(runs[1]).to.equal(runs[0])
  })

  for (const size of [3, 5]) {
    it(`keep the safety invariants and a linearizable KV history on ${size} nodes under loss, duplication, reordering, partitions and crashes`, async function () {
      const totals = newTotals()
      const summary = await runSeeds({ name: `raft nodes x${size}`, test: this.test, seeds: 40, budgetMs: 3_000, scenario: async ({ sim }) => { await scenario(sim, size, totals) } })
      console.log(`      ${size} nodes: seeds ${summary.seeds[0]}..${summary.seeds.at(-1)} (${summary.seeds.length}), ${JSON.stringify(totals)}`)
      expect(totals.seeds).to.equal(summary.seeds.length)
      // The faults were exercised, not just survived.
      expect(totals.ok).to.be.greaterThan(50 * totals.seeds)
      expect(totals.crashes).to.be.greaterThan(0)
      expect(totals.restarts).to.equal(totals.crashes)
      expect(totals.terms).to.be.greaterThan(totals.seeds)
      expect(totals.dropped + totals.duplicated + totals.reordered).to.be.greaterThan(0)
      expect(totals.snapshots).to.be.greaterThan(0)
    })
  }
})
