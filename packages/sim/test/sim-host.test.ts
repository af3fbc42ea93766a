import { expect } from 'chai'
import type { PortAddress, StreamConnection } from '@clusterfunk/core'
import { PacketNetwork, Partitions, SimHosts, Simulation, StreamNetwork } from '../src/index.js'

function world (seed = 1): { sim: Simulation, hosts: SimHosts } {
  const sim = new Simulation({ seed })
  const partitions = new Partitions()
  const hosts = new SimHosts(sim, { packets: new PacketNetwork(sim, { partitions }), streams: new StreamNetwork(sim, { partitions }) })
  return { sim, hosts }
}

describe('SimHosts and SimHost: the ports the shipping drivers run on in simulation', () => {
  it('gives each name one IP, in the order names are first seen, and maps it back', () => {
    const { hosts } = world()
    expect(hosts.ipOf('n0')).to.equal('10.0.0.1')
    expect(hosts.ipOf('n1')).to.equal('10.0.0.2')
    expect(hosts.ipOf('n0')).to.equal('10.0.0.1')
    expect(hosts.nameOf('10.0.0.2')).to.equal('n1')
    expect(hosts.address('n1', 7946)).to.equal('10.0.0.2:7946')
  })

  it('carries a datagram between IPs while the network routes and partitions by node name', async () => {
    const { sim, hosts } = world()
    const a = hosts.host('a')
    const b = hosts.host('b')
    const pa = await a.packets.bind(a.ip, 0)
    const pb = await b.packets.bind(b.ip, 7946)
    const got: Array<{ text: string, from: PortAddress }> = []
    pb.onMessage((bytes, from) => { got.push({ text: bytes.toString('utf8'), from: { ...from } }) })
    pa.send(Buffer.from('hi'), b.ip, 7946)
    sim.runFor(50)
    expect(got).to.deep.equal([{ text: 'hi', from: { host: a.ip, port: pa.address.port } }])
    hosts.networks.packets.partition(['a'], ['b'])
    pa.send(Buffer.from('cut'), b.ip, 7946)
    sim.runFor(50)
    expect(got).to.have.length(1)
    expect(hosts.networks.packets.stats.dropped.partition).to.equal(1)
  })

  it('refuses to bind an IP the host does not have, and a port already bound', async () => {
    const { hosts } = world()
    const a = hosts.host('a')
    await a.packets.bind(a.ip, 1)
    const taken = await a.packets.bind(a.ip, 1).then(() => undefined, (e: NodeJS.ErrnoException) => e)
    expect(taken?.code).to.equal('EADDRINUSE')
    const foreign = await a.packets.bind('10.9.9.9', 2).then(() => undefined, (e: NodeJS.ErrnoException) => e)
    expect(foreign?.code).to.equal('EADDRNOTAVAIL')
  })

  it('connects, exchanges in order, and the peer reads everything before it sees end()', async () => {
    const { sim, hosts } = world()
    const a = hosts.host('a')
    const b = hosts.host('b')
    const served: string[] = []
    const listener = await b.streams.listen({ part: 'test', host: b.ip, port: 9000 }, conn => {
      conn.onData(chunk => {
        served.push(chunk.toString('utf8'))
        if (served.length === 2) conn.end(Buffer.from('done'))
      })
    })
    const dialing = a.streams.connect(b.ip, 9000)
    const conn = await sim.resolve(dialing, { maxMs: 1000 })
    expect(conn.remote).to.deep.equal({ host: b.ip, port: 9000 })
    const replies: string[] = []
    let closed = false
    conn.onData(chunk => { replies.push(chunk.toString('utf8')) })
    conn.onClose(() => { closed = true })
    conn.write(Buffer.from('one'))
    conn.write(Buffer.from('two'))
    expect(await sim.runUntilAsync(() => closed, { maxMs: 1000 })).to.equal(true)
    expect(served).to.deep.equal(['one', 'two'])
    expect(replies).to.deep.equal(['done'])
    expect(listener.connections).to.equal(0)
  })

  it('refuses a connect where nothing listens with ECONNREFUSED', async () => {
    const { sim, hosts } = world()
    const a = hosts.host('a')
    hosts.host('b')
    const err = await sim.resolve(a.streams.connect(hosts.ipOf('b'), 9000).then(() => undefined, (e: NodeJS.ErrnoException) => e), { maxMs: 1000 })
    expect(err?.code).to.equal('ECONNREFUSED')
  })

  it('closes connections beyond the listener\'s cap on accept, and idle ones after the idle timeout', async () => {
    const { sim, hosts } = world()
    const a = hosts.host('a')
    const b = hosts.host('b')
    const accepted: StreamConnection[] = []
    const listener = await b.streams.listen({ part: 'test', host: b.ip, port: 9000, maxConnections: 1, idleTimeoutMs: 500 }, conn => { accepted.push(conn) })
    const first = await sim.resolve(a.streams.connect(b.ip, 9000), { maxMs: 1000 })
    // Closed on accept: the handshake fails, or the connection closes right after it opened.
    const second = a.streams.connect(b.ip, 9000).then(
      async conn => await new Promise<string>(resolve => { conn.onClose(() => { resolve('closed') }) }),
      () => 'failed'
    )
    expect(await sim.resolve(second, { maxMs: 100 })).to.be.oneOf(['closed', 'failed'])
    expect(accepted).to.have.length(1)
    let firstClosed = false
    first.onClose(() => { firstClosed = true })
    const start = sim.now()
    expect(await sim.runUntilAsync(() => firstClosed, { maxMs: 2000 })).to.equal(true)
    expect(sim.now() - start).to.be.within(400, 600)
    expect(listener.connections).to.equal(0)
  })

  it('a paused host handles what arrived, in order, once resumed; a crashed one nothing ever again', async () => {
    const { sim, hosts } = world()
    const a = hosts.host('a')
    const b = hosts.host('b')
    const pa = await a.packets.bind(a.ip, 1)
    const pb = await b.packets.bind(b.ip, 1)
    const got: string[] = []
    pb.onMessage(bytes => { got.push(bytes.toString('utf8')) })
    b.clock.setTimeout(() => { got.push('timer') }, 0)
    b.pause()
    pa.send(Buffer.from('x'), b.ip, 1)
    pa.send(Buffer.from('y'), b.ip, 1)
    sim.runFor(100)
    expect(got).to.deep.equal([])
    b.resume()
    expect(got[0]).to.equal('timer')
    expect(got.slice(1).sort()).to.deep.equal(['x', 'y'])
    b.clock.setTimeout(() => { got.push('late') }, 5)
    b.crash()
    pa.send(Buffer.from('z'), b.ip, 1)
    sim.runFor(100)
    expect(got).to.have.length(3)
    expect(hosts.networks.packets.stats.dropped.closed).to.equal(1)
  })

  it('a muted port drops what arrives, and delivers again once unmuted', async () => {
    const { sim, hosts } = world()
    const a = hosts.host('a')
    const b = hosts.host('b')
    const pa = await a.packets.bind(a.ip, 1)
    const pb = await b.packets.bind(b.ip, 1)
    let n = 0
    pb.onMessage(() => { n++ })
    b.mute(1, true)
    pa.send(Buffer.from('x'), b.ip, 1)
    sim.runFor(100)
    b.mute(1, false)
    pa.send(Buffer.from('y'), b.ip, 1)
    sim.runFor(100)
    expect(n).to.equal(1)
  })
})
