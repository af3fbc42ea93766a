import type { Random } from '@clusterfunk/core'
import type { Simulation } from '@clusterfunk/sim'
import type { ClusterWorld } from './cluster-world.js'

async function sleep (sim: Simulation, ms: number): Promise<void> {
  await new Promise<void>(resolve => { sim.setTimeout(resolve, ms) })
}

/** The fewest nodes a graceful leave may leave behind. */
const MIN_MEMBERS = 3

/**
 * Seeded faults until `until` (virtual ms): nodes joining later by SWIM
 * address, graceful leaves (for good; one at a time, each once the leader
 * took the one before out of Raft — see `leavesSettled`), crashes (losing all unsynced writes,
 * or keeping a random prefix of them) with restarts 20 ms–1.5 s later,
 * partitions (two-way and one-way, random splits), an isolated leader,
 * liveness endpoints that stop answering for a while (the node works on),
 * and heals. Then it heals everything, restarts every crashed node and starts
 * every node that has not joined yet: from there on, no fault.
 */
export async function injectFaults (world: ClusterWorld, random: Random, until: number): Promise<void> {
  const sim = world.sim
  while (sim.now() < until) {
    await sleep(sim, random.int(150, 800))
    const r = random.float()
    if (r < 0.12) {
      const waiting = world.ids('unstarted')
      if (waiting.length > 0) world.start(random.pick(waiting))
    } else if (r < 0.2) {
      const running = world.ids('running')
      if (running.length > 0 && world.members().length > MIN_MEMBERS && world.leavesSettled()) world.leave(random.pick(running))
    } else if (r < 0.45) {
      const up = [...world.ids('running'), ...world.ids('starting')]
      if (up.length === 0) continue
      const victim = random.chance(0.3) ? world.leader() ?? random.pick(up) : random.pick(up)
      world.crash(victim, random.chance(0.5) ? 'all' : 'prefix')
      sim.setTimeout(() => { world.start(victim) }, random.int(20, 1_500))
    } else if (r < 0.6) {
      world.counts.partitions++
      const ids = random.shuffle(world.members())
      if (ids.length < 2) continue
      const cut = random.int(1, ids.length - 1)
      world.partitions.partition(ids.slice(0, cut), ids.slice(cut), { oneWay: random.chance(0.3) })
    } else if (r < 0.68) {
      const leader = world.leader()
      if (leader !== undefined) {
        world.counts.partitions++
        world.partitions.isolate(leader)
      }
    } else if (r < 0.74) {
      // Liveness alone fails (a firewall on its port): the leader takes a node for dead that still follows Raft.
      const running = world.ids('running')
      if (running.length === 0) continue
      const id = random.pick(running)
      world.counts.mutes++
      world.node(id).muteLiveness(true)
      sim.setTimeout(() => { world.node(id).muteLiveness(false) }, random.int(300, 1_500))
    } else if (r < 0.88) {
      world.partitions.heal()
    }
  }
  world.partitions.heal()
  for (const id of world.ids('crashed')) world.start(id)
  for (const id of world.ids('unstarted')) world.start(id)
}
