import { expect } from 'chai'
import { PacketNetwork, Partitions, SimHosts, Simulation, StreamNetwork } from '@clusterfunk/sim'
import { simSwim } from '../src/sim.js'

describe('the README simulation example', () => {
  it('three shipping Swim members on simulated hosts converge, and a crash is seen as a failure', async () => {
    const sim = new Simulation({ seed: 7 })
    const partitions = new Partitions() // one set of cuts for UDP and TCP alike
    const hosts = new SimHosts(sim, {
      packets: new PacketNetwork(sim, { partitions, lossRate: 0.05, latency: { minMs: 1, maxMs: 20 } }),
      streams: new StreamNetwork(sim, { partitions })
    })
    const [ha, hb, hc] = [hosts.host('a'), hosts.host('b'), hosts.host('c')]
    const [a, b, c] = [ha, hb, hc].map(h => simSwim(h, { id: h.name, preset: 'local', keys: ['MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY='] }))
    for (const n of [a, b, c]) await n?.start()
    if (a === undefined || b === undefined || c === undefined) throw new Error('three members')
    const joins = Promise.all([b.join([a.address()]), c.join([a.address()])])
    await sim.resolve(joins, { maxMs: 10_000 })
    expect(await sim.runUntilAsync(() => [a, b, c].every(n => n.members().length === 3), { maxMs: 30_000 })).to.equal(true)
    hc.crash() // kill -9 of host c: its ports and timers are gone
    expect(await sim.runUntilAsync(() => a.member('c')?.status === 'dead' && b.member('c')?.status === 'dead', { maxMs: 60_000 })).to.equal(true)
    expect(a.members().map(m => m.id).join(' ')).to.equal('a b')
  })
})
