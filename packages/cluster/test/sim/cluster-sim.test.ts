import { expect } from 'chai'
import { runSeeds, Simulation } from '@clusterfunk/sim'
import { runScenario, type SeedReport } from './scenario.js'

interface Totals { seeds: number, joins: number, leaves: number, crashes: number, restarts: number, partitions: number, versions: number, checks: number, events: number, nonVoterSeeds: number, maxSettledMs: number }

function add (totals: Totals, r: SeedReport): void {
  totals.seeds++
  totals.joins += r.counts.joins
  totals.leaves += r.counts.leaves
  totals.crashes += r.counts.crashes
  totals.restarts += r.counts.restarts
  totals.partitions += r.counts.partitions
  totals.versions += r.versions
  totals.checks += r.checks
  totals.events += r.events
  if (r.plan.maxVoters < r.plan.initial + r.plan.extra) totals.nonVoterSeeds++
  totals.maxSettledMs = Math.max(totals.maxSettledMs, Math.round(r.settledMs))
}

describe('whole cluster nodes in the deterministic simulator', () => {
  it('replay a seed exactly: the same trace', async () => {
    const hashes: string[] = []
    for (let i = 0; i < 2; i++) {
      const sim = new Simulation({ seed: 3 })
      await runScenario(sim, { faultMs: 2_000 })
      expect(sim.trace.length).to.be.greaterThan(1_000)
      hashes.push(sim.trace.hash())
    }
    expect(hashes[1]).to.equal(hashes[0])
  })

  it('keep one committed map per version, Operational nodes on the latest map, one serving owner per shard, and settle once faults stop', async function () {
    const totals: Totals = { seeds: 0, joins: 0, leaves: 0, crashes: 0, restarts: 0, partitions: 0, versions: 0, checks: 0, events: 0, nonVoterSeeds: 0, maxSettledMs: 0 }
    const summary = await runSeeds({
      name: 'cluster nodes',
      test: this.test,
      seeds: 60,
      budgetMs: 25_000,
      traceLines: 40,
      simulation: { trace: { maxLines: 20_000 } },
      scenario: async ({ sim }) => { add(totals, await runScenario(sim)) }
    })
    console.log(`      seeds ${summary.seeds[0]}..${summary.seeds.at(-1)} (${summary.seeds.length}) in ${Math.round(summary.elapsedMs)} ms: ${JSON.stringify(totals)}`)
    expect(totals.seeds).to.equal(summary.seeds.length)
    // The faults were exercised, not just survived.
    expect(totals.crashes).to.be.greaterThan(0)
    expect(totals.partitions).to.be.greaterThan(0)
    expect(totals.versions).to.be.greaterThan(totals.seeds)
  })
})
