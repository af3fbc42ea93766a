import { expect } from 'chai'
import { InvalidConfigError } from '@clusterfunk/core'
import { ConnectionError, PacketNetwork, Simulation, type PacketSocket } from '../src/index.js'

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)

interface Received { at: number, from: string, data: number[] }

function listen (socket: PacketSocket, sim: Simulation): Received[] {
  const received: Received[] = []
  socket.onMessage((data, from) => { received.push({ at: sim.now(), from, data: [...data] }) })
  return received
}

describe('PacketNetwork', () => {
  it('delivers each packet once, within the latency bounds', () => {
    const sim = new Simulation({ seed: 3 })
    const net = new PacketNetwork(sim, { latency: { minMs: 2, maxMs: 8 } })
    const a = net.bind('a:1')
    const received = listen(net.bind('b:1'), sim)
    for (let i = 0; i < 200; i++) sim.scheduleAt(i, () => { a.send('b:1', bytes(i % 256)) })
    sim.runFor(300)
    expect(received).to.have.length(200)
    received.forEach(r => {
      const sentAt = r.data[0] as number
      expect(r.at - sentAt).to.be.within(2, 8)
      expect(r.from).to.equal('a:1')
    })
    expect(net.stats.delivered).to.equal(200)
  })

  it('loses and duplicates packets at roughly the configured rates', () => {
    const sim = new Simulation({ seed: 11 })
    const net = new PacketNetwork(sim, { lossRate: 0.2, duplicateRate: 0.1 })
    const a = net.bind('a:1')
    const received = listen(net.bind('b:1'), sim)
    for (let i = 0; i < 5_000; i++) a.send('b:1', bytes(1))
    sim.runFor(100)
    const { sent, dropped, duplicated, delivered } = net.stats
    expect(sent).to.equal(5_000)
    expect(dropped.loss / sent).to.be.within(0.17, 0.23)
    expect(duplicated / (sent - dropped.loss)).to.be.within(0.08, 0.12)
    expect(delivered).to.equal(sent - dropped.loss + duplicated)
    expect(received).to.have.length(delivered)
  })

  it('reorders packets when asked, and keeps them in order otherwise', () => {
    const order = (reorderRate: number): number[] => {
      const sim = new Simulation({ seed: 5 })
      const net = new PacketNetwork(sim, { latency: { minMs: 5, maxMs: 5 }, reorderRate, reorderMaxExtraMs: 50 })
      const a = net.bind('a:1')
      const received = listen(net.bind('b:1'), sim)
      for (let i = 0; i < 100; i++) sim.scheduleAt(i, () => { a.send('b:1', bytes(i)) })
      sim.runFor(300)
      return received.map(r => r.data[0] as number)
    }
    const ordered = order(0)
    expect(ordered).to.deep.equal([...Array(100).keys()])
    const shuffled = order(0.3)
    expect(shuffled).to.not.deep.equal(ordered)
    expect([...shuffled].sort((x, y) => x - y)).to.deep.equal(ordered)
  })

  it('delivers copies that later writes to the sender buffer do not change', () => {
    const sim = new Simulation()
    const net = new PacketNetwork(sim, { duplicateRate: 1 })
    const a = net.bind('a:1')
    const got: Uint8Array[] = []
    net.bind('b:1').onMessage(data => { got.push(data) })
    const buffer = bytes(1, 2, 3)
    a.send('b:1', buffer)
    buffer[0] = 99
    sim.runFor(20)
    expect(got).to.have.length(2)
    ;(got[0] as Uint8Array)[1] = 42
    expect([...(got[1] as Uint8Array)]).to.deep.equal([1, 2, 3])
  })

  it('copies a Buffer too: mutating the sender\'s Buffer after send does not change what is delivered', () => {
    const sim = new Simulation()
    const net = new PacketNetwork(sim)
    const a = net.bind('a:1')
    const got: number[][] = []
    net.bind('b:1').onMessage(data => { got.push([...data]) })
    const pool = Buffer.from([0, 1, 2, 3, 4, 5])
    // A Buffer that is itself a view into a larger pool, as Node hands out small Buffers.
    const buffer = pool.subarray(2, 5)
    a.send('b:1', buffer)
    buffer.fill(7)
    pool.fill(9)
    sim.runFor(20)
    expect(got).to.deep.equal([[2, 3, 4]])
  })

  it('drops packets both ways across a partition and delivers again after heal', () => {
    const sim = new Simulation()
    const net = new PacketNetwork(sim)
    const a = net.bind('a:1')
    const b = net.bind('b:1')
    const atA = listen(a, sim)
    const atB = listen(b, sim)
    net.partition(['a'], ['b:1'])
    a.send('b:1', bytes(1))
    b.send('a:1', bytes(2))
    sim.runFor(20)
    expect(atA.length + atB.length).to.equal(0)
    expect(net.stats.dropped.partition).to.equal(2)
    net.heal()
    a.send('b:1', bytes(3))
    b.send('a:1', bytes(4))
    sim.runFor(20)
    expect(atB.map(r => r.data)).to.deep.equal([[3]])
    expect(atA.map(r => r.data)).to.deep.equal([[4]])
  })

  it('drops packets already in flight when a partition starts', () => {
    const sim = new Simulation()
    const net = new PacketNetwork(sim, { latency: { minMs: 10, maxMs: 10 } })
    const a = net.bind('a:1')
    const atB = listen(net.bind('b:1'), sim)
    a.send('b:1', bytes(1))
    sim.runFor(5)
    net.isolate('b')
    sim.runFor(10)
    expect(atB).to.have.length(0)
    expect(net.stats.dropped.partition).to.equal(1)
  })

  it('blocks only one direction for a one-way partition', () => {
    const sim = new Simulation()
    const net = new PacketNetwork(sim)
    const a = net.bind('a:1')
    const b = net.bind('b:1')
    const atA = listen(a, sim)
    const atB = listen(b, sim)
    net.partition(['a'], ['b'], { oneWay: true })
    a.send('b:1', bytes(1))
    b.send('a:1', bytes(2))
    sim.runFor(20)
    expect(atB).to.have.length(0)
    expect(atA).to.have.length(1)
  })

  it('cuts an isolated node off from every other node but not from itself', () => {
    const sim = new Simulation()
    const net = new PacketNetwork(sim)
    const a1 = net.bind('a:1')
    const atA2 = listen(net.bind('a:2'), sim)
    const atB = listen(net.bind('b:1'), sim)
    net.isolate('a')
    a1.send('a:2', bytes(1))
    a1.send('b:1', bytes(2))
    sim.runFor(20)
    expect(atA2).to.have.length(1)
    expect(atB).to.have.length(0)
  })

  it('applies per-link overrides to that link only', () => {
    const sim = new Simulation()
    const net = new PacketNetwork(sim, { latency: { minMs: 1, maxMs: 1 } })
    net.configureLink('a', 'b', { lossRate: 1 })
    net.configureLink('a', 'c', { latency: { minMs: 50, maxMs: 50 } }, { oneWay: true })
    const a = net.bind('a:1')
    const atB = listen(net.bind('b:1'), sim)
    const atC = listen(net.bind('c:1'), sim)
    const atD = listen(net.bind('d:1'), sim)
    a.send('b:1', bytes(1))
    a.send('c:1', bytes(2))
    a.send('d:1', bytes(3))
    sim.runFor(100)
    expect(atB).to.have.length(0)
    expect(atC.map(r => r.at)).to.deep.equal([50])
    expect(atD.map(r => r.at)).to.deep.equal([1])
    expect(net.linkConfig('c', 'a').latency).to.deep.equal({ minMs: 1, maxMs: 1 })
  })

  it('drops packets larger than the maximum size and counts them', () => {
    const sim = new Simulation()
    const net = new PacketNetwork(sim, { maxPacketBytes: 4 })
    const a = net.bind('a:1')
    const atB = listen(net.bind('b:1'), sim)
    a.send('b:1', new Uint8Array(5))
    a.send('b:1', new Uint8Array(4))
    sim.runFor(20)
    expect(atB.map(r => r.data.length)).to.deep.equal([4])
    expect(net.stats.dropped.oversize).to.equal(1)
  })

  it('drops packets to an address nobody binds, and lets a closed address be bound again', () => {
    const sim = new Simulation()
    const net = new PacketNetwork(sim)
    const a = net.bind('a:1')
    net.bind('b:1').close()
    a.send('b:1', bytes(1))
    sim.runFor(20)
    expect(net.stats.dropped.closed).to.equal(1)
    const atB = listen(net.bind('b:1'), sim)
    a.send('b:1', bytes(2))
    sim.runFor(20)
    expect(atB).to.have.length(1)
  })

  it('refuses to bind a bound address or send from a closed socket', () => {
    const net = new PacketNetwork(new Simulation())
    const a = net.bind('a:1')
    expect(() => net.bind('a:1')).to.throw(ConnectionError).with.property('code', 'EADDRINUSE')
    a.close()
    a.close()
    expect(() => { a.send('b:1', bytes(1)) }).to.throw(ConnectionError).with.property('code', 'EPIPE')
  })

  it('rejects rates outside [0, 1] and inverted latency ranges', () => {
    const sim = new Simulation()
    expect(() => new PacketNetwork(sim, { lossRate: 1.5 })).to.throw(InvalidConfigError).with.property('option', 'lossRate')
    expect(() => new PacketNetwork(sim, { latency: { minMs: 5, maxMs: 1 } })).to.throw(InvalidConfigError).with.property('option', 'latency')
  })
})
