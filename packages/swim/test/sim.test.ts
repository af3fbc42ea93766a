import { expect } from 'chai'
import { runSeeds } from '@clusterfunk/sim'
import { lanConfig, localConfig } from '../src/config.js'
import { suspicionBounds } from '../src/suspicion.js'
import { SimCluster } from './sim-cluster.js'

const N = 8
// Gossip reaches almost everyone within a second; the rare member every retransmission missed
// learns through push/pull anti-entropy, which runs every pushPullIntervalMs.
const CONVERGE_MS = 2 * lanConfig.pushPullIntervalMs

describe('the shipping Swim on simulated hosts, encrypted, over lossy datagrams and stream exchanges', function () {
  this.timeout(60_000)

  it('eight nodes on a lossy, duplicating, reordering network converge and agree on a crash', async function () {
    await runSeeds({
      name: 'swim converges and detects a crash',
      test: this.test,
      seeds: 6,
      budgetMs: 4000,
      scenario: async ({ sim }) => {
        const c = await SimCluster.create(sim, { size: N, latency: { minMs: 1, maxMs: 8 }, lossRate: 0.05, duplicateRate: 0.05, reorderRate: 0.1 })
        expect(await c.converge(CONVERGE_MS)).to.equal(true)
        await sim.runForAsync(5000)
        expect(c.failures()).to.deep.equal([])
        const victim = c.node(3)
        victim.crash()
        const { maxMs } = suspicionBounds(lanConfig.suspicionMult, lanConfig.suspicionMaxTimeoutMult, N, lanConfig.probeIntervalMs)
        const others = c.nodes.filter(n => n !== victim)
        const bound = N * lanConfig.probeIntervalMs + maxMs
        expect(await sim.runUntilAsync(() => others.every(n => n.member(victim.id)?.status === 'dead'), { maxMs: bound })).to.equal(true)
        expect(c.failures().every(f => f.endsWith(`failed ${victim.id}`))).to.equal(true)
        expect(others.reduce((sum, n) => sum + n.garbled, 0)).to.equal(0)
      }
    })
  })

  it('after a short partition heals every node sees every other alive again', async function () {
    await runSeeds({
      name: 'swim survives a short partition',
      test: this.test,
      seeds: 6,
      budgetMs: 4000,
      scenario: async ({ sim }) => {
        const c = await SimCluster.create(sim, { size: N, latency: { minMs: 1, maxMs: 5 } })
        expect(await c.converge(CONVERGE_MS)).to.equal(true)
        await sim.runForAsync(3000)
        c.nets.packets.partition(['n0', 'n1', 'n2', 'n3'], ['n4', 'n5', 'n6', 'n7'])
        await sim.runForAsync(2000)
        // the cut was felt: probes across it failed
        expect(c.events.some(e => e.type === 'member:suspect')).to.equal(true)
        c.nets.packets.heal()
        // A member whose suspicion news was used up during the cut may still be declared failed
        // (SWIM cannot tell a cut from a crash); it hears of it through gossip to the dead and refutes.
        expect(await c.converge(CONVERGE_MS)).to.equal(true)
        for (const n of c.nodes) expect(n.allMembers().every(m => m.status === 'alive')).to.equal(true)
      }
    })
  })

  it('without reconnects, a partition that outlasts gossip to the dead never heals', async function () {
    await runSeeds({
      name: 'swim without reconnects stays split',
      test: this.test,
      seeds: 3,
      budgetMs: 3000,
      scenario: async ({ sim }) => {
        const c = await SimCluster.create(sim, { size: N, preset: 'local', config: { reconnectIntervalMs: 0 } })
        expect(await c.converge(CONVERGE_MS)).to.equal(true)
        const left = c.nodes.slice(0, N / 2)
        const right = c.nodes.slice(N / 2)
        c.nets.packets.partition(left.map(n => n.id), right.map(n => n.id))
        // declared failed across the cut, then their tombstones reaped after gossip to the dead
        const forgotten = (): boolean => left.every(n => right.every(m => n.member(m.id) === undefined && m.member(n.id) === undefined))
        expect(await sim.runUntilAsync(forgotten, { maxMs: 120_000 })).to.equal(true)
        c.nets.packets.heal()
        await sim.runForAsync(4 * localConfig.pushPullIntervalMs)
        // each side still lists only itself: nothing contacts a member after its tombstone is gone
        for (const n of left) expect([...c.aliveAt(n)].sort()).to.deep.equal(left.filter(m => m !== n).map(m => m.id).sort())
      }
    })
  })

  it('garbage datagrams are dropped and counted, and the node keeps working', async function () {
    await runSeeds({
      name: 'swim drops garbage',
      test: this.test,
      seeds: 3,
      budgetMs: 2000,
      scenario: async ({ sim }) => {
        const c = await SimCluster.create(sim, { size: N })
        expect(await c.converge(CONVERGE_MS)).to.equal(true)
        const attacker = c.nets.packets.bind('evil:1')
        const target = (i: number): string => `${c.node(i % N).id}:7946`
        const random = sim.fork('garbage')
        for (let i = 0; i < 200; i++) {
          const bytes = new Uint8Array(random.int(1, 200)).map(() => random.int(0, 255))
          attacker.send(target(i), bytes)
        }
        await sim.runForAsync(10_000)
        expect(c.nodes.reduce((sum, n) => sum + n.garbled, 0)).to.be.greaterThan(150)
        expect(c.fullView()).to.equal(true)
        expect(c.failures()).to.deep.equal([])
      }
    })
  })
})
