import { expect } from 'chai'
import type { Figure } from '@clusterfunk/core/bench'
import { run } from '../bench/cluster.bench.js'

describe('benchmark', () => {
  it('runs ours, etcd and a durable Redis side by side and reports every figure with its unit at tiny size', async function () {
    this.timeout(180_000)
    const figures: Figure[] = []
    await run({ tiny: true, report: (f) => figures.push(f) })
    expect(figures.map(f => f.bench)).to.deep.equal([
      'machine.set.p50.1', 'machine.set.p99.1', 'etcd.set.p50.1', 'etcd.set.p99.1', 'redis_fsync.set.p50.1', 'machine.vs_etcd.p50.1',
      'machine.writes.50', 'machine.writes.p99.50', 'etcd.writes.50', 'etcd.writes.p99.50', 'redis_fsync.writes.50', 'redis_fsync.writes.p99.50',
      'machine.vs_etcd.writes.50', 'machine.vs_etcd.writes.p99.50', 'machine.vs_redis_fsync.writes.50',
      'machine.reads.50', 'machine.reads.p99.50', 'etcd.reads.50', 'machine.vs_etcd.reads.50',
      'machine.failover.fast', 'machine.failover.default', 'etcd.failover'
    ])
    for (const f of figures) {
      expect(Number.isFinite(f.value), f.bench).to.equal(true)
      expect(f.value, f.bench).to.be.greaterThan(0)
    }
  })
})
