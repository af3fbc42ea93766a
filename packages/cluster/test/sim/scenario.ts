import type { Simulation } from '@clusterfunk/sim'
import type { CoordinatorInit, ShardCoordinator } from '../../src/index.js'
import { ClusterWorld, type WorldPlan } from './cluster-world.js'
import { injectFaults } from './faults.js'
import { ClusterInvariants, InvariantViolation } from './invariants.js'

/** How long the faults last (virtual ms). */
export const FAULT_MS = 8_000
/** How long the first nodes get to form a cluster (virtual ms). */
const FORM_MS = 20_000
/**
 * How long after the last fault every member must be Operational on one
 * map of exactly the members (virtual ms). What the cluster may wait out:
 * an election, a node left out for a missed ack tried again after 2 s
 * (doubling while it keeps missing), SWIM views mended every 2 s, Raft
 * catch-up. 600 seeds settled within 3 s; the bound leaves room, and a run
 * past it is a liveness bug to look at.
 */
export const SETTLE_MS = 15_000

/** What one seed did, for the summary line. */
export interface SeedReport {
  plan: WorldPlan
  counts: ClusterWorld['counts']
  checks: number
  versions: number
  events: number
  settledMs: number
}

/** Options of a scenario run. */
export interface ScenarioOptions {
  /** Builds every node's coordinator; a mutated one proves the checks bite. */
  coordinator?: (init: CoordinatorInit) => ShardCoordinator
  faultMs?: number
}

/** The world of one seed: how many nodes, who votes, how lossy the network, how often Raft snapshots. */
export function planFor (sim: Simulation, options: ScenarioOptions): WorldPlan {
  const r = sim.fork('plan')
  return {
    initial: 3,
    extra: r.int(0, 2),
    // Three voters at most in half the seeds: the fourth and fifth nodes are then non-voters.
    maxVoters: r.chance(0.5) ? 3 : 5,
    lossRate: r.chance(0.5) ? 0 : 0.03 * r.float(),
    duplicateRate: r.chance(0.5) ? 0 : 0.02,
    reorderRate: r.chance(0.5) ? 0 : 0.03,
    shards: 64,
    snapshotThreshold: r.chance(0.5) ? 16 : 8_192,
    ...(options.coordinator === undefined ? {} : { coordinator: options.coordinator })
  }
}

/**
 * One seed: three nodes bootstrap a cluster; then joins, graceful leaves,
 * crashes with restarts (losing unsynced writes), partitions that heal and
 * a lossy, duplicating, reordering network for `FAULT_MS`; then quiet. The
 * invariants are checked after every event; once faults stop, every member
 * must be Operational on one map of exactly the members within `SETTLE_MS`.
 * @throws InvariantViolation, or an Error naming what did not happen in time
 */
export async function runScenario (sim: Simulation, options: ScenarioOptions = {}): Promise<SeedReport> {
  const plan = planFor(sim, options)
  const world = new ClusterWorld(sim, plan)
  const inv = new ClusterInvariants(world)
  const check = (): void => {
    inv.check()
    const err = world.errors[0]
    if (err !== undefined) throw err
  }
  for (const n of world.nodes.slice(0, plan.initial)) world.start(n.id)
  if (!await sim.runUntilAsync(() => { check(); return inv.converged() }, { maxMs: FORM_MS })) {
    throw new Error(`the first ${plan.initial} nodes formed no cluster within ${FORM_MS} ms: ${inv.describeNodes()}`)
  }

  let done = false
  const faults = injectFaults(world, sim.fork('faults'), sim.now() + (options.faultMs ?? FAULT_MS)).finally(() => { done = true })
  faults.catch(() => {})
  await sim.runUntilAsync(() => { check(); return done }, { maxMs: (options.faultMs ?? FAULT_MS) + 5_000 })
  await faults

  const quietAt = sim.now()
  if (!await sim.runUntilAsync(() => { check(); return inv.converged() }, { maxMs: SETTLE_MS })) {
    throw new InvariantViolation(`${SETTLE_MS} ms after the faults stopped the cluster has not settled (members ${world.members().join(',')}): ${inv.describeNodes()}`)
  }
  return { plan, counts: { ...world.counts }, checks: inv.checks, versions: inv.latest, events: sim.eventsRun, settledMs: sim.now() - quietAt }
}
