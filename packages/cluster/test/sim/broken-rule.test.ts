import { expect } from 'chai'
import { SeedFailureError, runSeeds } from '@clusterfunk/sim'
import { ShardCoordinator } from '../../src/index.js'
import { InvariantViolation } from './invariants.js'
import { runScenario } from './scenario.js'

/**
 * A coordinator with the two-phase rule broken: once the leader applied
 * its own proposal it counts every other node's ack as in, so it commits
 * without waiting for the nodes to apply (and stop serving) the proposal.
 */
class HastyCoordinator extends ShardCoordinator {
  override receiveAck (now: number, from: string, version: number): void {
    super.receiveAck(now, from, version)
    if (from !== this.nodeId || !this.isLeader || this.pendingMap?.version !== version) return
    const ids = new Set([...this.pendingMap.map.nodes(), ...(this.committedMap?.map.nodes() ?? [])].map(n => n.id))
    for (const id of ids) if (id !== this.nodeId) super.receiveAck(now, id, version)
  }
}

describe('whole cluster nodes in the deterministic simulator, with a broken rule', () => {
  it('the invariants catch a leader that commits a map before every node acked it, naming the seed and the command that replays it', async function () {
    let failure: unknown
    try {
      await runSeeds({
        name: 'hasty leader',
        test: this.test,
        seeds: 10,
        budgetMs: 20_000,
        scenario: async ({ sim }) => { await runScenario(sim, { coordinator: init => new HastyCoordinator(init), faultMs: 3_000 }) }
      })
    } catch (err) {
      failure = err
    }
    expect(failure).to.be.instanceOf(SeedFailureError)
    const err = failure as SeedFailureError
    expect(err.cause).to.be.instanceOf(InvariantViolation)
    expect(err.message).to.match(/failed with seed \d+ at virtual time/)
    expect(err.replayCommand).to.match(/^SIM_SEED=\d+ npx mocha --no-config --timeout 60000 \S*broken-rule\.test\.js -g /)
    expect(err.message).to.include(`replay: ${err.replayCommand}`)
  })
})
