import type { Figure } from '@clusterfunk/core/bench'
import { expect } from 'chai'
import { run } from '../bench/sharding.bench.js'

describe('sharding benchmark', () => {
  it('reports every figure with its unit at tiny size', async () => {
    const figures: Figure[] = []
    await run({ tiny: true, report: (f) => figures.push(f) })
    expect(figures.map((f) => [f.bench, f.unit])).to.deep.equal([
      ['sharding.update.join.median', 'us'],
      ['sharding.update.leave.median', 'us'],
      ['sharding.update.join.r1.median', 'us'],
      ['sharding.update.leave.r1.median', 'us'],
      ['sharding.encode.median', 'us'],
      ['sharding.decode.median', 'us'],
      ['sharding.nodeFor', 'ns'],
      ['sharding.shardFor.string16', 'ns'],
      ['sharding.shardFor.unicode16', 'ns'],
      ['sharding.shardFor.bytes16', 'ns'],
      ['sharding.shardFor.int', 'ns'],
      ['sharding.shardForKey.string16', 'ns'],
      ['sharding.join.moved', 'shards'],
      ['sharding.join.moved.r1', 'shards'],
      ['sharding.leave.moved', 'shards'],
      ['sharding.encode.bytes', 'bytes'],
      ['sharding.encode.r3.bytes', 'bytes']
    ])
  })
})
