import { expect } from 'chai'
import { PacketNetwork, Partitions, Simulation, StreamNetwork } from '@clusterfunk/sim'
import { SimSwim } from '../src/sim.js'

describe('the README SimSwim example', () => {
  it('three simulated members converge, and a crash is seen as a failure', () => {
    const sim = new Simulation({ seed: 7 })
    const partitions = new Partitions() // one set of cuts for UDP and TCP alike
    const nets = {
      packets: new PacketNetwork(sim, { partitions, lossRate: 0.05, latency: { minMs: 1, maxMs: 20 } }),
      streams: new StreamNetwork(sim, { partitions })
    }
    const node = (id: string): SimSwim => new SimSwim(sim, nets, { id, preset: 'local' })
    const [a, b, c] = [node('a'), node('b'), node('c')]
    for (const n of [a, b, c]) n.start()
    b.join([a.address])
    c.join([a.address])
    expect(sim.runUntil(() => [a, b, c].every(n => n.members().length === 3), { maxMs: 30_000 })).to.equal(true)
    c.crash()
    expect(sim.runUntil(() => a.member('c')?.status === 'dead' && b.member('c')?.status === 'dead', { maxMs: 60_000 })).to.equal(true)
    expect(a.members().map(m => m.id).join(' ')).to.equal('a b')
  })
})
