import { expect } from 'chai'
import { PacketNetwork, runSeeds } from '../src/index.js'

// The example in README.md, kept runnable.
describe('README example', () => {
  it('pings between five nodes survive loss and a healed partition', async function () {
    const summary = await runSeeds({
      name: 'ping',
      test: this.test,
      seeds: 10,
      budgetMs: 2_000,
      scenario: ({ sim }) => {
        const net = new PacketNetwork(sim, { latency: { minMs: 1, maxMs: 10 }, lossRate: 0.2, duplicateRate: 0.05 })
        const nodes = ['n1', 'n2', 'n3', 'n4', 'n5']
        const heard = new Map<string, Set<string>>(nodes.map(n => [n, new Set()]))
        const random = sim.fork('pings')
        for (const node of nodes) {
          const clock = sim.clockFor(node)
          const socket = net.bind(`${node}:7946`)
          socket.onMessage((bytes, from) => {
            if (bytes[0] === 0) socket.send(from, Uint8Array.of(1))
            else heard.get(node)?.add(from)
          })
          const ping = (): void => {
            socket.send(`${random.pick(nodes.filter(n => n !== node))}:7946`, Uint8Array.of(0))
            clock.setTimeout(ping, 20)
          }
          clock.setTimeout(ping, random.int(0, 20))
        }
        net.partition(['n1', 'n2'], ['n3', 'n4', 'n5'])
        sim.runFor(1_000)
        expect([...(heard.get('n1') ?? [])]).to.not.include('n3:7946')
        net.heal()
        const allHeard = sim.runUntil(() => nodes.every(n => (heard.get(n)?.size ?? 0) === 4), { maxMs: 60_000 })
        expect(allHeard, 'every node hears from every other after the heal').to.equal(true)
      }
    })
    expect(summary.seeds.length).to.be.at.least(1)
  })
})
