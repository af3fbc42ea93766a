import { expect } from 'chai'
import { runSeeds } from '@clusterfunk/sim'
import { CoordinatorCluster } from './sim-harness.js'

describe('shard coordinator in simulation', function () {
  it('through crashes, restarts, partitions and leader changes, no shard has two serving owners and Operational nodes hold the latest map; once faults stop all converge', async function () {
    const summary = await runSeeds({
      name: 'coordinator-faults',
      test: this.test,
      seeds: 200,
      budgetMs: 4_000,
      scenario: ({ sim }) => {
        const cluster = new CoordinatorCluster(sim, ['n1', 'n2', 'n3', 'n4', 'n5'])
        cluster.run(1_500)
        for (let fault = 0; fault < 12; fault++) {
          const n = sim.random.pick(cluster.nodes)
          const down = cluster.nodes.filter(x => !x.up || x.cut).length
          if (!n.up) cluster.restart(n, sim.random.chance(0.5))
          else if (n.cut) cluster.heal(n)
          else if (down < 2) {
            if (sim.random.chance(0.5)) cluster.crash(n)
            else cluster.cut(n)
          }
          cluster.run(sim.random.int(100, 900))
        }
        for (const n of cluster.nodes) {
          if (!n.up) cluster.restart(n, sim.random.chance(0.5))
          cluster.heal(n)
        }
        cluster.run(4_000)
        const states = cluster.nodes.map(n => `${n.id}:${n.coordinator.state}@${String(n.coordinator.committedMap?.version)}`)
        expect(states.filter(s => !s.includes(':Operational@')), 'nodes not Operational after the faults stopped').to.deep.equal([])
        expect(new Set(cluster.nodes.map(n => n.coordinator.committedMap?.version)).size).to.equal(1)
        expect(cluster.servedShards()).to.equal(64)
        expect(cluster.committedByVersion.size).to.be.greaterThan(1)
      }
    })
    expect(summary.seeds.length).to.be.greaterThan(0)
  })
})
