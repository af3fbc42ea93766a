import { expect } from 'chai'
import { Simulation } from '@clusterfunk/sim'
import { SimCluster } from './sim-cluster.js'

async function trio (seed = 1): Promise<SimCluster> {
  const c = await SimCluster.create(new Simulation({ seed }), { size: 3, preset: 'local' })
  expect(await c.converge(30_000)).to.equal(true)
  return c
}

describe('the shipping Swim on simulated hosts', () => {
  it('a paused member holds what arrives and handles it, in order, when resumed', async () => {
    const c = await trio()
    const [a, b] = [c.node(0), c.node(1)]
    b.pause()
    a.setTags({ zone: 'z1' })
    await c.sim.runForAsync(500)
    expect(b.member(a.id)?.tags.get('zone')).to.equal(undefined)
    b.resume()
    expect(b.member(a.id)?.tags.get('zone')).to.equal('z1')
  })

  it('tags too large for a datagram reach the others over the stream network, sealed', async () => {
    const c = await trio(2)
    const big = 'x'.repeat(3000)
    c.node(2).setTags({ big })
    expect(await c.sim.runUntilAsync(() => c.nodes.every(n => n.member('n2')?.tags.get('big') === big), { maxMs: 10_000 })).to.equal(true)
    expect(c.nets.streams.stats.messages).to.be.greaterThan(0)
    expect(c.nodes.every(n => n.dropped === 0)).to.equal(true)
  })

  it('a crashed member frees its address, and a new member there rejoins above the incarnation it died with', async () => {
    const c = await trio(3)
    const victim = c.node(2)
    victim.crash()
    expect(victim.running).to.equal(false)
    const others = [c.node(0), c.node(1)]
    expect(await c.sim.runUntilAsync(() => others.every(n => n.member(victim.id)?.status === 'dead'), { maxMs: 60_000 })).to.equal(true)
    const restarted = await c.add(victim.id)
    c.join(restarted, [c.node(0).address])
    expect(await c.sim.runUntilAsync(() => others.every(n => n.member(victim.id)?.status === 'alive'), { maxMs: 10_000 })).to.equal(true)
    expect(others.every(n => (n.member(victim.id)?.incarnation ?? 0) > 1)).to.equal(true)
    expect(c.joinErrors).to.deep.equal([])
  })

  it('a stream frame that does not open is counted and its connection closed', async () => {
    const c = await trio(4)
    const target = c.node(1)
    const conn = c.nets.streams.connect('evil:1', `${target.id}:7946`)
    let closed = false
    conn.onClose(() => { closed = true })
    conn.send(Uint8Array.of(3, 0xff, 0xff, 0xff))
    await c.sim.runForAsync(100)
    expect(target.swim.stats().dropped.tcp).to.satisfy((d: Record<string, number>) => Object.values(d).reduce((a, b) => a + b, 0) === 1)
    expect(closed).to.equal(true)
    expect(c.fullView()).to.equal(true)
  })

  it('stop() releases every port and timer of the host: nothing is left to run for it', async () => {
    const c = await trio(5)
    for (const n of c.nodes) await n.swim.stop()
    await c.sim.runForAsync(1_000)
    expect(c.sim.pending).to.equal(0)
    expect(c.nets.streams.openConnections).to.equal(0)
  })

  it('a seed replays the same run: the same events at the same virtual times, encrypted bytes included', async () => {
    async function run (seed: number): Promise<string[]> {
      const c = await SimCluster.create(new Simulation({ seed }), { size: 4, preset: 'local', lossRate: 0.1 })
      await c.converge(30_000)
      c.node(3).crash()
      await c.sim.runForAsync(10_000)
      return [...c.events.map(e => `${e.at} ${e.by} ${e.type} ${e.member.id}`), c.sim.trace.hash()]
    }
    const first = await run(11)
    expect(first.length).to.be.greaterThan(5)
    expect(await run(11)).to.deep.equal(first)
  })
})
