import { expect } from 'chai'
import { PacketNetwork, runSeeds, type Simulation } from '@clusterfunk/sim'
import { lanConfig } from '../src/config.js'
import { suspicionBounds } from '../src/suspicion.js'
import { SimSwimNode } from './sim-driver.js'

const N = 8
// Gossip reaches almost everyone within a second; the rare member every retransmission missed
// learns through push/pull anti-entropy, which runs every pushPullIntervalMs.
const CONVERGE_MS = 2 * lanConfig.pushPullIntervalMs

function start (sim: Simulation, net: PacketNetwork): SimSwimNode[] {
  const peers = new Map<string, SimSwimNode>()
  const nodes: SimSwimNode[] = []
  for (let i = 0; i < N; i++) nodes.push(new SimSwimNode(sim, net, peers, `n${i}`, {}))
  const seed = nodes[0] as SimSwimNode
  for (const n of nodes.slice(1)) n.act((core, now) => { core.join(now, [seed.address]) })
  return nodes
}

function converged (nodes: SimSwimNode[]): boolean {
  const live = nodes.filter(n => n.up).map(n => n.id).sort()
  return nodes.filter(n => n.up).every(n => {
    const alive = n.core.members().filter(m => m.status === 'alive').map(m => m.id).sort()
    return alive.length === live.length && alive.every((id, i) => id === live[i])
  })
}

function failures (nodes: SimSwimNode[]): string[] {
  return nodes.flatMap(n => n.events.filter(e => e.type === 'member:failed').map(e => `${n.id} failed ${e.member.id}`))
}

describe('SWIM over the simulator, with encoded datagrams', function () {
  this.timeout(60_000)

  it('eight nodes on a lossy, duplicating, reordering network converge and agree on a crash', async function () {
    await runSeeds({
      name: 'swim converges and detects a crash',
      test: this.test,
      seeds: 6,
      budgetMs: 4000,
      scenario: ({ sim }) => {
        const net = new PacketNetwork(sim, { latency: { minMs: 1, maxMs: 8 }, lossRate: 0.05, duplicateRate: 0.05, reorderRate: 0.1 })
        const nodes = start(sim, net)
        expect(sim.runUntil(() => converged(nodes), { maxMs: CONVERGE_MS })).to.equal(true)
        sim.runFor(5000)
        expect(failures(nodes)).to.deep.equal([])
        const victim = nodes[3] as SimSwimNode
        victim.crash()
        const { maxMs } = suspicionBounds(lanConfig.suspicionMult, lanConfig.suspicionMaxTimeoutMult, N, lanConfig.probeIntervalMs)
        const others = nodes.filter(n => n !== victim)
        const bound = N * lanConfig.probeIntervalMs + maxMs
        expect(sim.runUntil(() => others.every(n => n.core.member(victim.id)?.status === 'dead'), { maxMs: bound })).to.equal(true)
        expect(failures(nodes).every(f => f.endsWith(`failed ${victim.id}`))).to.equal(true)
        expect(others.reduce((sum, n) => sum + n.decodeErrors, 0)).to.equal(0)
      }
    })
  })

  it('after a short partition heals every node sees every other alive again', async function () {
    await runSeeds({
      name: 'swim survives a short partition',
      test: this.test,
      seeds: 6,
      budgetMs: 4000,
      scenario: ({ sim }) => {
        const net = new PacketNetwork(sim, { latency: { minMs: 1, maxMs: 5 } })
        const nodes = start(sim, net)
        expect(sim.runUntil(() => converged(nodes), { maxMs: CONVERGE_MS })).to.equal(true)
        sim.runFor(3000)
        net.partition(['n0', 'n1', 'n2', 'n3'], ['n4', 'n5', 'n6', 'n7'])
        sim.runFor(2000)
        // the cut was felt: probes across it failed
        expect(nodes.some(n => n.events.some(e => e.type === 'member:suspect'))).to.equal(true)
        net.heal()
        // A member whose suspicion news was used up during the cut may still be declared failed
        // (SWIM cannot tell a cut from a crash); it hears of it through gossip to the dead and refutes.
        expect(sim.runUntil(() => converged(nodes), { maxMs: CONVERGE_MS })).to.equal(true)
        for (const n of nodes) expect(n.core.members().every(m => m.status === 'alive')).to.equal(true)
      }
    })
  })

  it('garbage datagrams are dropped and counted, and the node keeps working', async function () {
    await runSeeds({
      name: 'swim drops garbage',
      test: this.test,
      seeds: 3,
      budgetMs: 2000,
      scenario: ({ sim }) => {
        const net = new PacketNetwork(sim)
        const nodes = start(sim, net)
        expect(sim.runUntil(() => converged(nodes), { maxMs: CONVERGE_MS })).to.equal(true)
        const attacker = net.bind('evil:1')
        const random = sim.fork('garbage')
        for (let i = 0; i < 200; i++) {
          const bytes = new Uint8Array(random.int(1, 200)).map(() => random.int(0, 255))
          attacker.send((nodes[i % N] as SimSwimNode).address, bytes)
        }
        sim.runFor(10_000)
        expect(nodes.reduce((sum, n) => sum + n.decodeErrors, 0)).to.be.greaterThan(150)
        expect(converged(nodes)).to.equal(true)
        expect(failures(nodes)).to.deep.equal([])
      }
    })
  })
})
