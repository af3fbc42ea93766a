import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { createSocket, Socket as UdpSocket } from 'node:dgram'
import { connect, Socket as TcpSocket } from 'node:net'
import { createSealer, encodePacket, encodeStreamMessage, generateKey, Keyring, parseAddress, STREAM_PUSH_PULL, encodePushPull, type Swim } from '../src/index.js'
import { fastInit, startCluster, stopAll } from './swim-helpers.js'
import { Swim as SwimNode } from '../src/swim.js'

/** Records the first datagram any socket of this process sends to `port` (the transport's own send path). */
async function captureDatagramTo (port: number, trigger: () => void): Promise<Buffer> {
  const original = UdpSocket.prototype.send
  let captured: Buffer | undefined
  UdpSocket.prototype.send = function (this: UdpSocket, ...args: unknown[]) {
    if (captured === undefined && args[1] === port && Buffer.isBuffer(args[0])) captured = Buffer.from(args[0])
    return (original as (...a: unknown[]) => void).apply(this, args)
  } as typeof original
  try {
    trigger()
    await waitFor(() => captured !== undefined, { timeoutMs: 5000, what: 'a datagram to capture' })
  } finally {
    UdpSocket.prototype.send = original
  }
  return captured as Buffer
}

async function sendDatagram (to: Swim, bytes: Uint8Array): Promise<void> {
  const address = parseAddress(to.address())
  if (address === undefined) throw new Error('bad address')
  const socket = createSocket('udp4')
  try {
    await new Promise<void>((resolve, reject) => { socket.send(bytes, address.port, address.host, (err) => { if (err != null) reject(err); else resolve() }) })
  } finally {
    socket.close()
  }
}

async function sendStream (to: Swim, bytes: Uint8Array): Promise<void> {
  const socket = connect({ host: '127.0.0.1', port: to.port() })
  await new Promise<void>((resolve) => {
    socket.on('error', () => { resolve() })
    socket.on('close', () => { resolve() })
    socket.on('connect', () => { socket.write(bytes) })
  })
}

describe('Swim replay protection', function () {
  this.timeout(60_000)
  const key = generateKey()
  let nodes: Swim[] = []
  afterEach(async () => {
    await stopAll(nodes)
    nodes = []
  })

  it('a captured sealed datagram replayed at once and later is dropped as a replay, and gossip goes on', async () => {
    nodes = await startCluster(3, 'r', { keys: [key] })
    const [a, b, c] = nodes as [Swim, Swim, Swim]
    const failed: string[] = []
    for (const n of nodes) n.addEventListener('member:failed', (e) => { failed.push(e.detail.id) })
    const captured = await captureDatagramTo(b.port(), () => { a.setTags({ v: '1' }) })
    await sendDatagram(b, captured)
    await waitFor(() => b.stats().dropped.udp.replay === 1, { timeoutMs: 5000, what: 'the immediate replay to be dropped' })
    // Later: after b has taken in a good deal more gossip, the same datagram is still refused.
    const seen = b.stats().packetsIn
    await waitFor(() => b.stats().packetsIn >= seen + 40, { timeoutMs: 20_000, what: 'more gossip' })
    await sendDatagram(b, captured)
    await waitFor(() => b.stats().dropped.udp.replay === 2, { timeoutMs: 5000, what: 'the later replay to be dropped' })
    // Sent to another member, whose window never saw it, it is refused as meant for someone else.
    await sendDatagram(c, captured)
    await waitFor(() => c.stats().dropped.udp.misdirected === 1, { timeoutMs: 5000, what: 'the misdirected copy to be dropped' })
    a.setTags({ v: '2' })
    await waitFor(() => nodes.every(n => n.member('r0')?.tags.get('v') === '2'), { timeoutMs: 10_000, what: 'gossip to go on' })
    expect(failed).to.deep.equal([])
    for (const n of nodes) expect(n.stats().dropped.udp.stale).to.equal(0)
  })

  it('a sealed datagram sent 60 s ago is dropped as stale even where no window remembers its sender', async () => {
    nodes = await startCluster(2, 's', { keys: [key] })
    const [a, b] = nodes as [Swim, Swim]
    const old = createSealer({ keyring: new Keyring([key]), label: undefined, sender: 'mallory', epoch: Date.now() - 120_000, wallNow: () => Date.now() - 60_000 })
    const packet = encodePacket([{ type: 'alive', node: 'mallory', incarnation: 1, address: '127.0.0.1:9', tags: new Map() }])
    await sendDatagram(b, old.seal(packet, b.address()))
    await waitFor(() => b.stats().dropped.udp.stale === 1, { timeoutMs: 5000, what: 'the stale datagram to be dropped' })
    expect(b.member('mallory')).to.equal(undefined)
    expect(a.member('s1')?.status).to.equal('alive')
  })

  it('a datagram in the old sealed layout (version 1) is dropped and counted as version', async () => {
    nodes = await startCluster(1, 'v', { keys: [key] })
    const [a] = nodes as [Swim]
    const v1 = Buffer.alloc(60, 7)
    v1[0] = 1
    await sendDatagram(a, v1)
    await waitFor(() => a.stats().dropped.udp.version === 1, { timeoutMs: 5000, what: 'the old layout to be dropped' })
    expect(a.stats().dropped.udp.decrypt).to.equal(0)
  })

  it('a captured push/pull stream replayed to the same member is dropped as a replay', async () => {
    nodes = await startCluster(2, 'p', { keys: [key] })
    const [, b] = nodes as [Swim, Swim]
    const joiner = new SwimNode({}, fastInit('p2', { keys: [key] }))
    nodes.push(joiner)
    await joiner.start()
    const original = TcpSocket.prototype.write
    let captured: Buffer | undefined
    TcpSocket.prototype.write = function (this: TcpSocket, ...args: unknown[]) {
      if (captured === undefined && this.remotePort === b.port() && Buffer.isBuffer(args[0])) captured = Buffer.from(args[0])
      return (original as (...a: unknown[]) => boolean).apply(this, args)
    } as typeof original
    try {
      await joiner.join([b.address()])
    } finally {
      TcpSocket.prototype.write = original
    }
    expect(captured).to.not.equal(undefined)
    await sendStream(b, captured as Buffer)
    await waitFor(() => b.stats().dropped.tcp.replay === 1, { timeoutMs: 5000, what: 'the replayed push/pull to be dropped' })
    // A fresh push/pull sealed by someone holding the key but for another address is refused too.
    const sealer = createSealer({ keyring: new Keyring([key]), label: undefined, sender: 'p9', epoch: Date.now(), wallNow: () => Date.now() })
    await sendStream(b, encodeStreamMessage(sealer, STREAM_PUSH_PULL, encodePushPull({ join: true, members: [] }), '127.0.0.1:1'))
    await waitFor(() => b.stats().dropped.tcp.misdirected === 1, { timeoutMs: 5000, what: 'the misdirected push/pull to be dropped' })
    await waitFor(() => nodes.every(n => n.members().length === 3), { timeoutMs: 10_000, what: 'the join to complete everywhere' })
  })
})
