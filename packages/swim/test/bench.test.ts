import type { Figure } from '@clusterfunk/core/bench'
import { expect } from 'chai'
import { run } from '../bench/swim.bench.js'

describe('swim benchmark', () => {
  it('reports every figure with its unit at tiny size', async () => {
    const figures: Figure[] = []
    await run({ tiny: true, report: (f) => figures.push(f) })
    expect(figures.map((f) => [f.bench, f.unit])).to.deep.equal([
      ['swim.sim16.detect.median', 'ms'],
      ['swim.sim16.detect.p90', 'ms'],
      ['swim.sim16.converge.median', 'ms'],
      ['swim.sim16.datagrams_per_node', 'per_s'],
      ['swim.codec.encode.median', 'us'],
      ['swim.codec.decode.median', 'us'],
      ['swim.core.receive.median', 'us'],
      ['swim.codec.packet.bytes', 'bytes']
    ])
  })
})
