import { expect } from 'chai'
import type { Figure } from '@clusterfunk/core/bench'
import { run } from '../bench/cluster.bench.js'

describe('benchmark', () => {
  it('the cluster benchmark reports every figure with its unit at tiny size', async function () {
    this.timeout(180_000)
    const figures: Figure[] = []
    await run({ tiny: true, report: (f) => figures.push(f) })
    expect(figures.map(f => f.bench)).to.deep.equal(['machine.set.p50.1', 'machine.set.p99.1', 'machine.writes.50', 'machine.writes.p99.50', 'machine.reads.50', 'machine.failover.default'])
    for (const f of figures) expect(Number.isFinite(f.value), f.bench).to.equal(true)
  })
})
