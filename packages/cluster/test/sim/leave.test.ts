import { expect } from 'chai'
import { Simulation } from '@clusterfunk/sim'
import { ClusterWorld } from './cluster-world.js'
import { ClusterInvariants } from './invariants.js'

describe('whole cluster nodes: a node that left (simulated)', () => {
  it('is not added back to Raft by a new leader whose SWIM view has not heard of the leave yet', async () => {
    const sim = new Simulation({ seed: 4 })
    const world = new ClusterWorld(sim, { initial: 3, extra: 2, maxVoters: 5, lossRate: 0, duplicateRate: 0, reorderRate: 0, shards: 64, snapshotThreshold: 8_192 })
    const inv = new ClusterInvariants(world)
    const until = async (what: string, done: () => boolean, maxMs = 20_000): Promise<void> => {
      expect(await sim.runUntilAsync(() => { inv.check(); return done() }, { maxMs }), what).to.equal(true)
    }
    // Every Raft configuration any running node holds: a node that left must never come back into one.
    const readded = (): string | undefined => {
      for (const { id, cluster } of world.running()) {
        const back = cluster.nodes().find(n => world.life.get(n.id) === 'left' && n.suffrage !== 'None')
        if (back !== undefined) return `${id} holds ${back.id} as ${back.suffrage}`
      }
      return undefined
    }
    for (const id of ['n1', 'n2', 'n3']) world.start(id)
    await until('the first three form a cluster', () => inv.converged())
    for (const id of ['n4', 'n5']) world.start(id)
    await until('n4 and n5 join', () => inv.converged())
    world.leave('n1')
    await until('n1 left and is out of Raft', () => inv.converged() && world.leavesSettled())
    world.leave('n2')
    await until('n2 left and is out of Raft', () => world.life.get('n2') === 'left' && world.leavesSettled())
    // At once, before SWIM's leave message reached every node, another node takes the lead.
    const leader = world.node(world.leader() as string).cluster
    await sim.resolve((leader as NonNullable<typeof leader>).managementSource.stepDown(), { maxMs: 2_000 })
    const end = sim.now() + 3_000
    await until('three seconds under the new leader', () => {
      const back = readded()
      if (back !== undefined) throw new Error(`a node that left is back in Raft: ${back}`)
      return sim.now() >= end
    }, 5_000)
    await until('the cluster settles on the three left', () => inv.converged())
  })

  for (const seed of [5, 6, 7]) {
    it(`that left while the cluster had no leader is taken out of Raft by the next leader (seed ${seed})`, async () => {
      const sim = new Simulation({ seed })
      const world = new ClusterWorld(sim, { initial: 5, extra: 0, maxVoters: 5, lossRate: 0, duplicateRate: 0, reorderRate: 0, shards: 64, snapshotThreshold: 8_192 })
      const inv = new ClusterInvariants(world)
      const until = async (what: string, done: () => boolean, maxMs = 20_000): Promise<void> => {
        expect(await sim.runUntilAsync(() => { inv.check(); return done() }, { maxMs }), what).to.equal(true)
      }
      for (const id of ['n1', 'n2', 'n3', 'n4', 'n5']) world.start(id)
      await until('five nodes form a cluster', () => inv.converged())
      const leader = world.leader() as string
      const leaver = world.ids('running').find(id => id !== leader) as string
      // The leader dies, and before anyone takes its place a follower leaves gracefully.
      world.crash(leader, 'all')
      world.leave(leaver)
      await until(`${leaver} left and a new leader took it out of Raft`, () => world.life.get(leaver) === 'left' && world.leavesSettled(), 15_000)
      world.start(leader)
      await until('the cluster settles on the four that stayed', () => inv.converged())
    })
  }
})
