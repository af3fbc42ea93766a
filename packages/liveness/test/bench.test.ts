import { expect } from 'chai'
import type { Figure } from '@clusterfunk/core/bench'
import { run as codec } from '../bench/codec.bench.js'
import { run as detect } from '../bench/detect.bench.js'
import { run as cpu } from '../bench/cpu.bench.js'

describe('liveness benchmarks at toy size', () => {
  it('the codec benchmark reports its figures', async () => {
    const figures: Figure[] = []
    await codec({ tiny: true, report: f => { figures.push(f) } })
    expect(figures.map(f => [f.bench, f.unit])).to.deep.equal([
      ['liveness.codec.hand', 'ns'], ['liveness.codec.protobufjs', 'ns'],
      ['liveness.codec.protobufjs.objects', 'ns'], ['liveness.codec.hand.hmac', 'ns']
    ])
  })

  it('the detection benchmark reports median and max in ms', async () => {
    const figures: Figure[] = []
    await detect({ tiny: true, report: f => { figures.push(f) } })
    expect(figures.map(f => [f.bench, f.unit])).to.deep.equal([['liveness.detect.median', 'ms'], ['liveness.detect.max', 'ms']])
  })

  it('the CPU benchmark reports CPU, replies/s and timeouts/s, without and with a key, and the bare UDP floor', async () => {
    const figures: Figure[] = []
    await cpu({ tiny: true, report: f => { figures.push(f) } })
    const names = ['liveness.checker.cpu.1000', 'liveness.checker.replies_per_s.1000', 'liveness.checker.timeouts_per_s.1000']
    const floor = ['liveness.udp_floor.cpu.1000', 'liveness.udp_floor.replies_per_s.1000']
    expect(figures.map(f => [f.bench, f.unit])).to.deep.equal([...names, ...names.map(n => `${n}.hmac`), ...floor].map(n => [n, n.includes('cpu') ? '%' : '1/s']))
  })
})
