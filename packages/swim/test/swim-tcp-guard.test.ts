import { expect } from 'chai'
import { once } from 'node:events'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { createSocket } from 'node:dgram'
import { MemoryMetrics, PortInUseError, waitFor } from '@clusterfunk/core'
import { createSealer, generateKey, Keyring, STREAM_PUSH_PULL, Swim, encodeFrame, headPlaintext } from '../src/index.js'
import { fastInit, stopAll } from './swim-helpers.js'

/**
 * The SWIM TCP listener on real sockets under floods:
 * connection caps, the idle timeout, and a keyed node authenticating a
 * stream's head before it buffers a body. Hostile connections come from
 * other loopback source addresses (127.0.0.2, 127.0.0.3) so that the
 * per-address cap can tell them from the honest members on 127.0.0.1;
 * every connection still goes to 127.0.0.1.
 */

/** Opens `n` connections from `from` to `port` in batches; resolves with the sockets (refused ones close soon after). */
async function flood (port: number, from: string, n: number, sink: Socket[]): Promise<void> {
  const batch = 100
  for (let i = 0; i < n; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, n - i) }, async () => {
      const socket = connect({ host: '127.0.0.1', port, localAddress: from })
      sink.push(socket)
      socket.on('error', () => {}) // a refused connection is reset
      await Promise.race([once(socket, 'connect'), once(socket, 'close')])
    }))
  }
}

describe('the SWIM TCP listener under floods', function () {
  this.timeout(60_000)
  let nodes: Swim[] = []
  const sockets: Socket[] = []
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy()
    await stopAll(nodes)
    nodes = []
  })

  it('1 000 idle connections from one address are capped per address and counted; the node still gossips and push/pulls', async () => {
    const metrics = new MemoryMetrics()
    // An exchange deadline far above the test, so only the caps keep the flood out.
    const a = new Swim({ metrics }, fastInit('g-a', { maxConcurrentStreams: 32, maxStreamsPerAddress: 8, streamIdleTimeoutMs: 60_000, config: { tcpTimeoutMs: 30_000 } }))
    nodes.push(a)
    await a.start()
    await flood(a.port(), '127.0.0.2', 1000, sockets)
    await waitFor(() => a.stats().refusedConnections.perAddress === 992, { timeoutMs: 20_000, what: 'the refusals to be counted' })
    expect(a.stats().refusedConnections.total).to.equal(0)
    expect(a.stats().dropped.tcp.busy).to.equal(992)
    expect(metrics.get('clusterfunk_swim_tcp_connections_refused_total', { reason: 'perAddress' })).to.equal(992)
    // Eight held open, idle, by the attacker; the others were closed by the node.
    await waitFor(() => sockets.filter(s => !s.destroyed).length === 8, { timeoutMs: 10_000, what: 'the refused connections to close' })

    // Honest members on 127.0.0.1 join through the flooded node (push/pull) while the flood holds.
    const b = new Swim({}, fastInit('g-b'))
    const c = new Swim({}, fastInit('g-c'))
    nodes.push(b, c)
    await b.start()
    await c.start()
    expect(await b.join([a.address()])).to.equal(1)
    expect(await c.join([a.address()])).to.equal(1)
    await waitFor(() => nodes.every(n => n.members().length === 3), { timeoutMs: 10_000, what: 'three members everywhere' })
    // Gossip reaches the flooded node, and its own push/pulls keep running.
    c.setTags({ zone: 'eu-1' })
    await waitFor(() => a.member('g-c')?.tags.get('zone') === 'eu-1', { timeoutMs: 10_000, what: 'the tag change to reach a' })
    const before = a.stats().bytesIn.tcp
    await waitFor(() => a.stats().bytesIn.tcp > before, { timeoutMs: 10_000, what: 'another push/pull to reach a' })
    expect(sockets.filter(s => !s.destroyed)).to.have.length(8)
    expect(a.stats().refusedConnections.perAddress).to.equal(992)
  })

  it('connections beyond the total cap are refused; idle ones are closed after streamIdleTimeoutMs and the slots serve peers again', async () => {
    const a = new Swim({}, fastInit('i-a', { maxConcurrentStreams: 16, streamIdleTimeoutMs: 300, config: { tcpTimeoutMs: 30_000 } }))
    const b = new Swim({}, fastInit('i-b'))
    nodes.push(a, b)
    await a.start()
    await b.start()
    await flood(a.port(), '127.0.0.3', 40, sockets)
    await waitFor(() => a.stats().refusedConnections.total === 24, { timeoutMs: 10_000, what: 'the refusals beyond the total cap' })
    await waitFor(() => sockets.every(s => s.destroyed), { timeoutMs: 10_000, what: 'the idle connections to be closed' })
    expect(await b.join([a.address()])).to.equal(1)
    await waitFor(() => a.members().length === 2, { timeoutMs: 10_000, what: 'b to be a member of a' })
  })

  it('a keyed node reads no body before the head authenticates: a forged head announcing 16 MiB costs only the head', async () => {
    const key = generateKey()
    const a = new Swim({}, fastInit('k-a', { keys: [key] }))
    nodes.push(a)
    await a.start()
    const send = async (bytes: Buffer): Promise<void> => {
      const socket = connect({ host: '127.0.0.1', port: a.port() })
      sockets.push(socket)
      socket.on('error', () => {})
      await once(socket, 'connect')
      // Resets are expected here; plain listeners, as events.once would reject on 'error'.
      const closed = new Promise<void>(resolve => { socket.once('close', () => { resolve() }) })
      socket.write(bytes)
      // The rest of a 16 MiB body, streamed while the node decides; it must not wait for it.
      const junk = Buffer.alloc(64 * 1024, 7)
      for (let i = 0; i < 256 && !socket.destroyed; i++) {
        if (!socket.write(junk)) await Promise.race([new Promise<void>(resolve => { socket.once('drain', () => { resolve() }) }), closed])
      }
      await closed
    }
    // A head frame in clear (no key): it does not open.
    await send(encodeFrame(headPlaintext(STREAM_PUSH_PULL, 16 * 1024 * 1024)))
    // A head sealed under another key.
    const stranger = createSealer({ keyring: new Keyring([generateKey()]), label: undefined, sender: 'x', epoch: Date.now(), wallNow: () => Date.now() })
    await send(encodeFrame(stranger.seal(headPlaintext(STREAM_PUSH_PULL, 16 * 1024 * 1024), a.address())))
    // The old layout, one frame of 16 MiB: refused from its 4 length bytes.
    const length = Buffer.alloc(4)
    length.writeUInt32BE(16 * 1024 * 1024)
    await send(length)
    await waitFor(() => a.stats().dropped.tcp.decrypt === 2 && a.stats().dropped.tcp.oversize === 1, { timeoutMs: 5000, what: 'the three streams to be dropped' })
    // Each connection cost the node about a head and a socket read, not megabytes.
    expect(a.stats().bytesIn.tcp).to.be.below(3 * 256 * 1024)
  })

  it('a port clash names the part: PortInUseError for swim, TCP or UDP side', async () => {
    const holder: Server = createServer()
    await new Promise<void>(resolve => { holder.listen({ host: '127.0.0.1', port: 0 }, resolve) })
    const port = (holder.address() as { port: number }).port
    try {
      const err = await new Swim({}, fastInit('p-a', { port })).start().then(() => undefined, (e: unknown) => e)
      expect(err).to.be.instanceOf(PortInUseError)
      expect(err).to.include({ part: 'swim', address: `127.0.0.1:${port}` })
      expect((err as Error).message).to.contain('swim port')
    } finally {
      holder.close()
    }
    const udp = createSocket('udp4')
    await new Promise<void>(resolve => { udp.bind(0, '127.0.0.1', resolve) })
    try {
      const err = await new Swim({}, fastInit('p-b', { port: udp.address().port })).start().then(() => undefined, (e: unknown) => e)
      expect(err).to.be.instanceOf(PortInUseError)
      expect(err).to.have.property('part', 'swim')
      expect((err as PortInUseError).address).to.contain('(udp)')
    } finally {
      udp.close()
    }
  })
})
