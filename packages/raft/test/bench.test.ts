import type { Figure } from '@clusterfunk/core/bench'
import { expect } from 'chai'
import { run } from '../bench/core.bench.js'

describe('raft core benchmark', () => {
  it('reports every figure with its unit at tiny size', async () => {
    const figures: Figure[] = []
    await run({ tiny: true, report: (f) => figures.push(f) })
    expect(figures.map((f) => [f.bench, f.unit])).to.deep.equal([
      ['raft.core.commit.round.median', 'us'],
      ['raft.core.commit.throughput', 'entries/s']
    ])
  })
})
