import { expect } from 'chai'
import { Simulation } from '@clusterfunk/sim'
import { SimSwim } from '../src/sim-swim.js'
import { SimCluster } from './sim-cluster.js'

function trio (seed = 1): SimCluster {
  const c = new SimCluster(new Simulation({ seed }), { size: 3, preset: 'local' })
  expect(c.converge(30_000)).to.equal(true)
  return c
}

describe('SimSwim', () => {
  it('a paused member holds what arrives and handles it, in order, when resumed', () => {
    const c = trio()
    const [a, b] = [c.node(0), c.node(1)]
    b.pause()
    a.setTags({ zone: 'z1' })
    c.sim.runFor(500)
    expect(b.member(a.id)?.tags.get('zone')).to.equal(undefined)
    b.resume()
    expect(b.member(a.id)?.tags.get('zone')).to.equal('z1')
  })

  it('tags too large for a datagram reach the others over the stream network', () => {
    const c = trio(2)
    const big = 'x'.repeat(3000)
    c.node(2).setTags({ big })
    expect(c.sim.runUntil(() => c.nodes.every(n => n.member('n2')?.tags.get('big') === big), { maxMs: 10_000 })).to.equal(true)
    expect(c.nets.streams.stats.messages).to.be.greaterThan(0)
  })

  it('a crashed member frees its address, and a new member there rejoins above the incarnation it died with', () => {
    const c = trio(3)
    const victim = c.node(2)
    victim.crash()
    expect(victim.running).to.equal(false)
    const others = [c.node(0), c.node(1)]
    expect(c.sim.runUntil(() => others.every(n => n.member(victim.id)?.status === 'dead'), { maxMs: 60_000 })).to.equal(true)
    const restarted = new SimSwim(c.sim, c.nets, { id: victim.id, preset: 'local' })
    restarted.start()
    restarted.join([c.node(0).address])
    expect(c.sim.runUntil(() => others.every(n => n.member(victim.id)?.status === 'alive'), { maxMs: 10_000 })).to.equal(true)
    expect(others.every(n => (n.member(victim.id)?.incarnation ?? 0) > 1)).to.equal(true)
  })

  it('a stream frame that does not decode is counted and its connection reset', () => {
    const c = trio(4)
    const target = c.node(1)
    const conn = c.nets.streams.connect('evil:1', target.address)
    let closedWith: string | undefined
    conn.onClose(err => { closedWith = err?.code })
    conn.send(Uint8Array.of(3, 0xff, 0xff, 0xff))
    c.sim.runFor(100)
    expect(target.decodeErrors).to.equal(1)
    expect(closedWith).to.equal('ECONNRESET')
    expect(c.fullView()).to.equal(true)
  })
})
