import { expect } from 'chai'
import { Simulation } from '@clusterfunk/sim'
import { ClusterWorld, type WorldPlan } from './cluster-world.js'
import { ClusterInvariants } from './invariants.js'

/** A world without network faults, and helpers that check the invariants after every event while they wait. */
function quietWorld (seed: number, plan: Pick<WorldPlan, 'extra' | 'maxVoters'>): { sim: Simulation, world: ClusterWorld, until: (what: string, done: () => boolean, maxMs?: number) => Promise<void>, settle: (what: string, maxMs?: number) => Promise<void> } {
  const sim = new Simulation({ seed })
  const world = new ClusterWorld(sim, { initial: 3, ...plan, lossRate: 0, duplicateRate: 0, reorderRate: 0, shards: 64, snapshotThreshold: 8_192 })
  const inv = new ClusterInvariants(world)
  const until = async (what: string, done: () => boolean, maxMs = 20_000): Promise<void> => {
    expect(await sim.runUntilAsync(() => { inv.check(); return done() }, { maxMs }), what).to.equal(true)
  }
  return { sim, world, until, settle: async (what, maxMs) => { await until(what, () => inv.converged(), maxMs) } }
}

describe('whole cluster nodes whose SWIM views lack each other (simulated)', () => {
  it('a node restarted with every join address gone gets the leader\'s view pushed to it once it misses an ack, and is back in the map within seconds', async () => {
    const { sim, world, until, settle } = quietWorld(4, { extra: 2, maxVoters: 5 })
    for (const id of ['n1', 'n2', 'n3']) world.start(id)
    await settle('the first three form a cluster')
    for (const id of ['n4', 'n5']) world.start(id)
    await settle('n4 and n5 join')
    // n3 joins through n1 and n2 only; both leave for good.
    for (const id of ['n1', 'n2']) {
      world.leave(id)
      await settle(`${id} leaves`)
      await until(`the leader takes ${id} out of Raft`, () => world.leavesSettled())
    }
    const leading = world.node('n3').cluster
    if (leading?.role === 'Leader') {
      await sim.resolve(leading.managementSource.stepDown(), { maxMs: 2_000 })
      await settle('n3 hands over')
    }
    const leader = world.node(world.leader() as string).cluster
    world.crash('n3', 'prefix')
    await until('a map without n3 is committed', () => leader?.shards.map?.has('n3') === false)
    // Back, n3 finds no SWIM member at its join addresses: its view holds itself alone, so it follows
    // Raft but cannot find the leader's management endpoint to ack the map that takes it back.
    world.start('n3')
    const restartedAt = sim.now()
    await settle('n3 is back in the map', 15_000)
    expect(sim.now() - restartedAt).to.be.below(5_000)
    expect(world.node('n3').cluster?.endpoint(world.leader() as string, 'clusterfunk.management')).to.be.a('string')
  })

  it('a node in the Raft group but outside the map rejoins SWIM through the leader, so a restarted leader that never heard of it takes it back within seconds', async () => {
    const { sim, world, until, settle } = quietWorld(5, { extra: 2, maxVoters: 3 })
    for (const id of ['n1', 'n2', 'n3']) world.start(id)
    await settle('the first three form a cluster')
    for (const id of ['n4', 'n5']) world.start(id)
    await settle('n4 and n5 join; n5 does not vote')
    world.leave('n3')
    await settle('n3 leaves')
    await until('n4 takes its Raft seat', () => world.leavesSettled() && world.node('n1').cluster?.nodes().find(n => n.id === 'n4')?.suffrage === 'Voter')
    // n1 and n2 restart together: their fresh SWIM views hold each other (they join through each
    // other and n3) but neither n4 nor n5, which joined later and have nothing new to gossip.
    world.crash('n1', 'prefix')
    world.crash('n2', 'prefix')
    world.start('n1')
    world.start('n2')
    const restartedAt = sim.now()
    await until('a leader', () => world.leader() !== undefined && world.running().length === 4)
    const n4 = world.node('n4').cluster
    if (n4?.role === 'Leader') {
      // Led by one of the restarted nodes, the cluster drops the two it does not know.
      await sim.resolve(n4.managementSource.stepDown(), { maxMs: 2_000 })
      await until('a restarted node leads', () => world.leader() !== undefined && world.leader() !== 'n4')
    }
    await settle('n4 and n5 are back in the map', 30_000)
    expect(sim.now() - restartedAt).to.be.below(6_000)
  })
})
