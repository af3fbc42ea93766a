import type { Figure } from '@clusterfunk/core/bench'
import { expect } from 'chai'
import { run } from '../bench/core.bench.js'
import { run as runCluster } from '../bench/cluster.bench.js'

describe('raft benchmarks', () => {
  it('the core benchmark reports every figure with its unit at tiny size', async () => {
    const figures: Figure[] = []
    await run({ tiny: true, report: (f) => figures.push(f) })
    expect(figures.map((f) => [f.bench, f.unit])).to.deep.equal([
      ['raft.core.commit.round.median', 'us'],
      ['raft.core.commit.throughput', 'entries/s']
    ])
  })

  it('the cluster benchmark reports every figure with its unit at tiny size', async function () {
    this.timeout(120_000)
    const figures: Figure[] = []
    await runCluster({ tiny: true, report: (f) => figures.push(f) })
    expect(figures.map((f) => [f.bench, f.unit])).to.deep.equal([
      ['raft.writes.1', 'writes/s'], ['raft.p50.1', 'ms'], ['raft.p99.1', 'ms'],
      ['raft.writes.64', 'writes/s'], ['raft.p50.64', 'ms'], ['raft.p99.64', 'ms'],
      ['raft.writes.1000', 'writes/s'], ['raft.p50.1000', 'ms'], ['raft.p99.1000', 'ms'],
      ['raft.failover', 'ms'],
      ['raft.catchup.100k', 's']
    ])
  })
})
