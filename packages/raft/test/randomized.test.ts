import { expect } from 'chai'
import { runSeed } from './helpers/chaos.js'

describe('randomized runs with faults keep the Raft safety properties', () => {
  it('at most one leader per term, matching logs, unchanging commits and equal apply sequences over 40 seeds, with membership changes', function () {
    this.timeout(60_000)
    const total = { checks: 0, applied: 0, restarts: 0, compactions: 0, snapshots: 0, terms: 0, configChanges: 0 }
    // RAFT_CHAOS_SEED=<n> replays one seed; RAFT_CHAOS_SEEDS=<count> runs more.
    const only = process.env.RAFT_CHAOS_SEED
    const first = only === undefined ? 1 : Number(only)
    const last = only === undefined ? Number(process.env.RAFT_CHAOS_SEEDS ?? 40) : first
    for (let seed = first; seed <= last; seed++) {
      try {
        const r = runSeed(seed, 600)
        for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += r[k]
      } catch (err) {
        throw new Error(`seed ${seed} failed: ${(err as Error).message}\nreplay: RAFT_CHAOS_SEED=${seed} npx mocha --no-config dist/test/randomized.test.js`, { cause: err })
      }
    }
    if (only !== undefined) return
    // The faults were exercised, not just survived.
    expect(total.checks).to.be.greaterThan(10_000)
    expect(total.applied).to.be.greaterThan(400)
    expect(total.restarts).to.be.greaterThan(40)
    expect(total.snapshots).to.be.greaterThan(0)
    expect(total.terms).to.be.greaterThan(80)
    expect(total.configChanges).to.be.greaterThan(20)
  })
})
