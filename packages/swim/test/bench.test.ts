import type { Figure } from '@clusterfunk/core/bench'
import { expect } from 'chai'
import { run } from '../bench/swim.bench.js'
import { run as runDetect } from '../bench/detect.bench.js'
import { run as runJoin } from '../bench/join.bench.js'
import { run as runSteady } from '../bench/steady.bench.js'
import { run as runMemory } from '../bench/memory.bench.js'
import { run as runFalsePositives } from '../bench/false-positives.bench.js'
import { run as runEvents } from '../bench/events.bench.js'

async function figuresOf (bench: (options: { tiny: boolean, report: (f: Figure) => void }) => Promise<void>): Promise<Array<[string, string]>> {
  const figures: Figure[] = []
  await bench({ tiny: true, report: (f) => figures.push(f) })
  return figures.map((f) => [f.bench, f.unit])
}

describe('swim benchmark', () => {
  it('reports every simulated and CPU figure with its unit at tiny size', async () => {
    expect(await figuresOf(run)).to.deep.equal([
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

  it('reports the real-socket failure detection figures with their units at tiny size', async () => {
    expect(await figuresOf(runDetect)).to.deep.equal([
      ['swim.detect.lan.16', 'ms'],
      ['swim.detect.lan.32', 'ms'],
      ['swim.detect.local.16', 'ms']
    ])
  })

  it('reports the join convergence figures with their units at tiny size', async () => {
    expect(await figuresOf(runJoin)).to.deep.equal([['swim.join.16', 'ms'], ['swim.join.32', 'ms']])
  })

  it('reports the steady-state cost figures with their units at tiny size', async () => {
    expect(await figuresOf(runSteady)).to.deep.equal([['swim.steady.bytes_per_s.32', 'bytes_per_s'], ['swim.steady.cpu.32', 'percent']])
  })

  it('reports the memory per member with its unit at tiny size', async () => {
    expect(await figuresOf(runMemory)).to.deep.equal([['swim.memory_per_member', 'MiB']])
  })

  it('reports the false-positive count with its unit at tiny size', async () => {
    expect(await figuresOf(runFalsePositives)).to.deep.equal([['swim.false_positives.16', 'members']])
  })

  it('reports the user event and query figures with their units at tiny size (Serf only at full size)', async () => {
    expect(await figuresOf(runEvents)).to.deep.equal([['query.round.16', 'ms'], ['event.spread.16', 'ms']])
  })
})
