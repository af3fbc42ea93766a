import { expect } from 'chai'
import { Simulation } from '@clusterfunk/sim'
import { ClusterWorld } from './cluster-world.js'
import { ClusterInvariants } from './invariants.js'

describe('whole cluster nodes serve only on a lease (simulated)', () => {
  it('a node the liveness checker takes for dead while it follows Raft stops serving before the map without it is committed, and is let back in once it answers again', async () => {
    const sim = new Simulation({ seed: 1 })
    const slowDisks = new Set<string>()
    const world = new ClusterWorld(sim, {
      initial: 3, extra: 0, maxVoters: 3, lossRate: 0, duplicateRate: 0, reorderRate: 0, shards: 64, snapshotThreshold: 8_192,
      syncDelayMs: id => () => slowDisks.has(id) ? 120 : 1
    })
    const inv = new ClusterInvariants(world)
    for (const n of world.nodes) world.start(n.id)
    expect(await sim.runUntilAsync(() => { inv.check(); return inv.converged() }, { maxMs: 20_000 }), 'the cluster forms').to.equal(true)

    const leader = world.leader() as string
    const victim = world.nodes.map(n => n.id).find(id => id !== leader) as string
    // The victim's disk turns slow, so it applies the next entries late while the reads that
    // renew its lease come back in time; its liveness endpoint stops answering, so the leader
    // proposes a map without it at once, and the other node acks it long before the victim applied it.
    slowDisks.add(victim)
    world.node(victim).muteLiveness(true)
    const leaderCluster = world.node(leader).cluster
    const without = (): boolean => leaderCluster?.shards.map?.has(victim) === false
    expect(await sim.runUntilAsync(() => { inv.check(); return without() }, { maxMs: 5_000 }), 'a map without the victim is committed').to.equal(true)
    expect(world.node(victim).cluster?.state).to.not.equal('Operational')

    world.node(victim).muteLiveness(false)
    slowDisks.delete(victim)
    expect(await sim.runUntilAsync(() => { inv.check(); return inv.converged() }, { maxMs: 10_000 }), 'the victim is back in the map').to.equal(true)
    expect(inv.latest).to.be.at.least(3)
  })

  it('a node back from a partition under a new leader serves nothing until it holds every map committed meanwhile', async () => {
    const sim = new Simulation({ seed: 2 })
    const world = new ClusterWorld(sim, { initial: 3, extra: 0, maxVoters: 3, lossRate: 0, duplicateRate: 0, reorderRate: 0, shards: 64, snapshotThreshold: 8_192 })
    const inv = new ClusterInvariants(world)
    for (const n of world.nodes) world.start(n.id)
    expect(await sim.runUntilAsync(() => { inv.check(); return inv.converged() }, { maxMs: 20_000 }), 'the cluster forms').to.equal(true)

    const leader = world.leader() as string
    const victim = world.nodes.map(n => n.id).find(id => id !== leader) as string
    const before = inv.latest
    world.partitions.isolate(victim)
    const leaderCluster = world.node(leader).cluster as NonNullable<ReturnType<typeof world.node>['cluster']>
    expect(await sim.runUntilAsync(() => { inv.check(); return leaderCluster.shards.map?.has(victim) === false }, { maxMs: 5_000 }), 'a map without the victim is committed').to.equal(true)
    expect(inv.latest).to.be.greaterThan(before)
    // A new leader takes over while the victim is away. Its heartbeats carry no commit index beyond
    // what it knows each follower holds, so hearing them is not enough to serve: back, the victim
    // must first learn and apply the map committed meanwhile.
    await sim.resolve(leaderCluster.managementSource.stepDown(), { maxMs: 2_000 })
    expect(await sim.runUntilAsync(() => { inv.check(); const l = world.leader(); return l !== undefined && l !== leader && world.node(l).cluster?.state === 'Operational' }, { maxMs: 5_000 }), 'another node leads').to.equal(true)
    world.partitions.heal()
    expect(await sim.runUntilAsync(() => { inv.check(); return inv.converged() }, { maxMs: 10_000 }), 'the victim is back in the map').to.equal(true)
  })
})
