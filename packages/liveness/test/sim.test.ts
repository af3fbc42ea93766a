import { expect } from 'chai'
import { InvalidConfigError, ManualClock, MemoryMetrics, SeededRandom } from '@clusterfunk/core'
import { SimLivenessChecker, SimLivenessEndpoint, simAddressString, simNodeAddress, type DatagramNetwork, type DatagramSocket } from '../src/sim.js'
import type { NodeAliveEvent, NodeDeadEvent } from '../src/index.js'

/**
 * A datagram network on a manual clock: every datagram arrives 2 ms after
 * it was sent, unless its sender's or receiver's node is cut off. It hands
 * the receiver the very bytes sent (no copy), so a part that writes into
 * what it was handed, or into what it sent, shows up.
 */
class TestNetwork implements DatagramNetwork {
  readonly cut = new Set<string>()
  private readonly sockets = new Map<string, { handler: (bytes: Uint8Array, from: string) => void }>()

  constructor (private readonly clock: ManualClock) {}

  bind (address: string): DatagramSocket {
    if (this.sockets.has(address)) throw new Error(`${address} is already bound`)
    const entry = { handler: (_bytes: Uint8Array, _from: string): void => {} }
    this.sockets.set(address, entry)
    let open = true
    return {
      get isOpen () { return open },
      send: (to, bytes) => {
        this.clock.setTimeout(() => {
          if (this.cut.has(simNodeAddress(to).host) || this.cut.has(simNodeAddress(address).host)) return
          this.sockets.get(to)?.handler(bytes, address)
        }, 2)
      },
      onMessage: handler => { entry.handler = handler },
      close: () => { open = false; this.sockets.delete(address) }
    }
  }
}

describe('SimLivenessChecker and SimLivenessEndpoint on a simulated network', () => {
  function setup (options: { key?: string, endpointKey?: string } = {}) {
    const clock = new ManualClock()
    const network = new TestNetwork(clock)
    const endpoint = new SimLivenessEndpoint({ network }, { nodeId: 'b', address: 'n2:7001', ...(options.endpointKey === undefined ? {} : { key: options.endpointKey }) })
    const metrics = new MemoryMetrics()
    const checker = new SimLivenessChecker({ network, clock, random: new SeededRandom(1), metrics }, { address: 'n1:7002', intervalMs: 100, retries: 3, ...(options.key === undefined ? {} : { key: options.key }) })
    const dead: NodeDeadEvent[] = []
    const alive: NodeAliveEvent[] = []
    checker.addEventListener('node:dead', e => { dead.push(e.detail) })
    checker.addEventListener('node:alive', e => { alive.push(e.detail) })
    return { clock, network, endpoint, checker, dead, alive }
  }

  it('a node whose endpoint answers is alive and keeps answering every probe, with its RTT measured', async () => {
    const { clock, endpoint, checker, alive, dead } = setup()
    await endpoint.start()
    await checker.start()
    checker.add('b', endpoint.address())
    clock.advance(1_000)
    expect(alive.map(e => e.id)).to.deep.equal(['b'])
    expect(dead).to.deep.equal([])
    expect(checker.nodeStatus('b')).to.include({ state: 'alive', misses: 0, lastRttMs: 4 })
    expect(checker.stats().probesSent).to.be.at.least(9)
    // Every probe answered, but for the one still in flight.
    const { probesSent, replies, timeouts } = checker.stats()
    expect(replies).to.be.within(probesSent - 1, probesSent)
    expect(timeouts).to.equal(0)
    expect(endpoint.stats().replies).to.be.within(probesSent - 1, probesSent)
  })

  it('a node cut off is dead after `retries` missed probes and alive again when it answers', async () => {
    const { clock, network, endpoint, checker, alive, dead } = setup()
    await endpoint.start()
    await checker.start()
    checker.add('b', endpoint.address())
    clock.advance(300)
    network.cut.add('n2')
    clock.advance(500)
    expect(dead.map(e => [e.id, e.misses, e.previous])).to.deep.equal([['b', 3, 'alive']])
    network.cut.delete('n2')
    clock.advance(300)
    expect(alive.map(e => [e.id, e.previous])).to.deep.equal([['b', 'unknown'], ['b', 'dead']])
  })

  it('a muted endpoint answers nothing while its node stays up, and answers again once unmuted', async () => {
    const { clock, endpoint, checker, dead, alive } = setup()
    await endpoint.start()
    await checker.start()
    checker.add('b', endpoint.address())
    clock.advance(200)
    endpoint.mute(true)
    clock.advance(500)
    expect(dead.map(e => e.id)).to.deep.equal(['b'])
    endpoint.mute(false)
    clock.advance(300)
    expect(alive.map(e => e.previous)).to.deep.equal(['unknown', 'dead'])
  })

  it('with a key, probes and replies are authenticated: an endpoint with another key answers nothing', async () => {
    const good = setup({ key: 'sixteen-byte-key-1', endpointKey: 'sixteen-byte-key-1' })
    await good.endpoint.start()
    await good.checker.start()
    good.checker.add('b', good.endpoint.address())
    good.clock.advance(500)
    expect(good.checker.nodeStatus('b')?.state).to.equal('alive')

    const bad = setup({ key: 'sixteen-byte-key-1', endpointKey: 'sixteen-byte-key-2' })
    await bad.endpoint.start()
    await bad.checker.start()
    bad.checker.add('b', bad.endpoint.address())
    bad.clock.advance(500)
    expect(bad.checker.nodeStatus('b')?.state).to.equal('dead')
    expect(bad.endpoint.stats().dropped.auth).to.be.greaterThan(0)
  })

  it('an endpoint drops probes for another node id, and a crash stops checker and endpoint at once', async () => {
    const { clock, endpoint, checker } = setup()
    await endpoint.start()
    await checker.start()
    checker.add('c', endpoint.address())
    clock.advance(400)
    expect(checker.nodeStatus('c')?.state).to.equal('dead')
    expect(endpoint.stats().dropped['wrong-node']).to.be.greaterThan(0)
    const sent = checker.stats().probesSent
    checker.crash()
    endpoint.crash()
    clock.advance(1_000)
    expect(checker.stats().probesSent).to.equal(sent)
    expect(() => endpoint.address()).to.throw()
  })

  it('a checker or endpoint crashed before it started never binds: its process is gone', async () => {
    const { network, endpoint, checker } = setup()
    endpoint.crash()
    checker.crash()
    let refused = 0
    await endpoint.start().catch(() => { refused++ })
    await checker.start().catch(() => { refused++ })
    expect(refused).to.equal(2)
    // The addresses are free for the next incarnation.
    expect(() => network.bind('n2:7001')).to.not.throw()
  })

  it('addresses are <node>:<port> both ways, and bad ones are refused at construction', () => {
    expect(simNodeAddress('n3:7001')).to.deep.equal({ host: 'n3', port: 7001 })
    expect(simAddressString({ host: 'n3', port: 7001 })).to.equal('n3:7001')
    const clock = new ManualClock()
    const network = new TestNetwork(clock)
    expect(() => new SimLivenessEndpoint({ network }, { nodeId: 'b', address: 'n2' })).to.throw(InvalidConfigError)
    expect(() => new SimLivenessChecker({ network, clock, random: new SeededRandom(1) }, { address: 'n1:0' })).to.throw(InvalidConfigError)
    expect(() => new SimLivenessChecker({ network, clock, random: new SeededRandom(1) }, { address: 'n1:7002', retries: 0 })).to.throw(InvalidConfigError)
  })
})
