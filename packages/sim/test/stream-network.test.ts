import { expect } from 'chai'
import { ConnectionError, Partitions, PacketNetwork, Simulation, StreamNetwork, type SimConnection } from '../src/index.js'

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)

function accepted (net: StreamNetwork, address: string): SimConnection[] {
  const conns: SimConnection[] = []
  net.listen(address, conn => { conns.push(conn) })
  return conns
}

describe('StreamNetwork', () => {
  it('opens the client end after a round trip and the server end when the handshake arrives', () => {
    const sim = new Simulation()
    const net = new StreamNetwork(sim, { latency: { minMs: 3, maxMs: 3 } })
    const servers = accepted(net, 'b:80')
    const client = net.connect('a', 'b:80')
    let openedAt = -1
    client.onOpen(() => { openedAt = sim.now() })
    expect(client.state).to.equal('connecting')
    sim.runFor(3)
    expect(servers).to.have.length(1)
    expect(servers[0]?.remoteAddress).to.equal('a')
    sim.runFor(10)
    expect(openedAt).to.equal(6)
    expect(client.state).to.equal('open')
  })

  it('delivers messages in order in both directions, with increasing delivery times', () => {
    const sim = new Simulation({ seed: 9 })
    const net = new StreamNetwork(sim, { latency: { minMs: 1, maxMs: 30 } })
    const atServer: Array<[number, number]> = []
    net.listen('b:80', conn => {
      conn.onMessage(m => { atServer.push([m[0] as number, sim.now()]) })
      for (let i = 0; i < 50; i++) conn.send(bytes(i))
    })
    const client = net.connect('a', 'b:80')
    const atClient: number[] = []
    client.onMessage(m => { atClient.push(m[0] as number) })
    for (let i = 0; i < 50; i++) client.send(bytes(i))
    sim.runFor(200)
    expect(atServer.map(([v]) => v)).to.deep.equal([...Array(50).keys()])
    expect(atClient).to.deep.equal([...Array(50).keys()])
    const times = atServer.map(([, t]) => t)
    expect(new Set(times).size).to.be.above(1)
    expect(times).to.deep.equal([...times].sort((x, y) => x - y))
  })

  it('refuses a connection to an address nobody listens on', async () => {
    const sim = new Simulation()
    const net = new StreamNetwork(sim)
    let caught: unknown
    try { await sim.resolve(net.connectAsync('a', 'b:80'), { maxMs: 100 }) } catch (err) { caught = err }
    expect(caught).to.be.instanceOf(ConnectionError).with.property('code', 'ECONNREFUSED')
    expect(sim.now()).to.be.below(20)
  })

  it('times out a connection across a partition after connectTimeoutMs', async () => {
    const sim = new Simulation()
    const net = new StreamNetwork(sim, { connectTimeoutMs: 500 })
    accepted(net, 'b:80')
    net.partition(['a'], ['b'])
    let caught: unknown
    try { await sim.resolve(net.connectAsync('a', 'b:80'), { maxMs: 1_000 }) } catch (err) { caught = err }
    expect(caught).to.be.instanceOf(ConnectionError).with.property('code', 'ETIMEDOUT')
    expect(sim.now()).to.equal(500)
    expect(net.stats.timedOut).to.equal(1)
  })

  it('resets both ends of a connection that a new partition severs', () => {
    const sim = new Simulation()
    const net = new StreamNetwork(sim)
    const servers = accepted(net, 'b:80')
    const client = net.connect('a', 'b:80')
    sim.runFor(20)
    const errors: Array<string | undefined> = []
    client.onClose(err => errors.push(err?.code))
    servers[0]?.onClose(err => errors.push(err?.code))
    let late = 0
    servers[0]?.onMessage(() => { late++ })
    client.send(bytes(1))
    net.partition(['a'], ['b'], { oneWay: true })
    sim.runFor(20)
    expect(errors).to.deep.equal(['ECONNRESET', 'ECONNRESET'])
    expect(late).to.equal(0)
    expect(net.openConnections).to.equal(0)
  })

  it('resets connections between two nodes on reset(a, b) and leaves others open', () => {
    const sim = new Simulation()
    const net = new StreamNetwork(sim)
    accepted(net, 'b:80')
    accepted(net, 'c:80')
    const toB = net.connect('a', 'b:80')
    const toC = net.connect('a', 'c:80')
    sim.runFor(20)
    expect(net.reset('b', 'a')).to.equal(1)
    expect(toB.state).to.equal('closed')
    expect(toC.state).to.equal('open')
    expect(() => { toB.send(bytes(1)) }).to.throw(ConnectionError).with.property('code', 'EPIPE')
  })

  it('lets the peer read everything sent before an orderly close, then closes it without error', () => {
    const sim = new Simulation()
    const net = new StreamNetwork(sim)
    const servers = accepted(net, 'b:80')
    const client = net.connect('a', 'b:80')
    sim.runFor(20)
    const events: string[] = []
    servers[0]?.onMessage(m => events.push(`msg ${m[0]}`))
    servers[0]?.onClose(err => events.push(`close ${err?.code ?? 'clean'}`))
    client.onClose(err => events.push(`client close ${err?.code ?? 'clean'}`))
    client.send(bytes(1))
    client.send(bytes(2))
    client.close()
    client.close()
    expect(events).to.deep.equal(['client close clean'])
    sim.runFor(20)
    expect(events).to.deep.equal(['client close clean', 'msg 1', 'msg 2', 'close clean'])
  })

  it('discards messages in flight to an end that closed', () => {
    const sim = new Simulation()
    const net = new StreamNetwork(sim)
    const servers = accepted(net, 'b:80')
    const client = net.connect('a', 'b:80')
    sim.runFor(20)
    let got = 0
    client.onMessage(() => { got++ })
    servers[0]?.send(bytes(1))
    client.close()
    sim.runFor(20)
    expect(got).to.equal(0)
  })

  it('sends messages written while connecting once the connection opens', () => {
    const sim = new Simulation()
    const net = new StreamNetwork(sim)
    const got: number[] = []
    net.listen('b:80', conn => { conn.onMessage(m => got.push(m[0] as number)) })
    const client = net.connect('a', 'b:80')
    client.send(bytes(7))
    client.send(bytes(8))
    sim.runFor(50)
    expect(got).to.deep.equal([7, 8])
  })

  it('shares partitions with a packet network so one cut stops both', () => {
    const sim = new Simulation()
    const partitions = new Partitions()
    const udp = new PacketNetwork(sim, { partitions })
    const tcp = new StreamNetwork(sim, { partitions })
    accepted(tcp, 'b:80')
    const client = tcp.connect('a', 'b:80')
    sim.runFor(20)
    udp.isolate('b')
    expect(client.state).to.equal('closed')
    expect(partitions.blocked('a:1', 'b:1')).to.equal(true)
  })
})
