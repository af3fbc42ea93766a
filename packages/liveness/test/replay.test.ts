import { expect } from 'chai'
import { createSocket, Socket, type Socket as UdpSocket } from 'node:dgram'
import { waitFor } from '@clusterfunk/core'
import { KIND_PROBE, LivenessChecker, LivenessEndpoint, packetTemplate, sealPacket, writeFreshness, writeNonce, type NodeAddress } from '../src/index.js'

const KEY = 'the-cluster-key-0123456789'

/** Records the first datagram any socket of this process sends to `port` (the checker's own send path). */
async function captureTo (port: number, run: () => void): Promise<Buffer> {
  const original = Socket.prototype.send
  let captured: Buffer | undefined
  Socket.prototype.send = function (this: Socket, ...args: unknown[]) {
    if (captured === undefined && args[1] === port && Buffer.isBuffer(args[0])) captured = Buffer.from(args[0])
    return (original as (...a: unknown[]) => void).apply(this, args)
  } as typeof original
  try {
    run()
    await waitFor(() => captured !== undefined, { timeoutMs: 5000, what: 'a probe to capture' })
  } finally {
    Socket.prototype.send = original
  }
  return captured as Buffer
}

describe('liveness replay protection', () => {
  const started: Array<{ stop: () => Promise<void> }> = []
  let raw: UdpSocket | undefined
  afterEach(async () => {
    raw?.close()
    raw = undefined
    await Promise.all(started.splice(0).map(async s => { await s.stop() }))
  })

  /** A socket of the attacker's that counts what comes back to it. */
  async function attacker (): Promise<{ send: (bytes: Uint8Array, to: NodeAddress) => Promise<void>, answers: Buffer[] }> {
    const socket = createSocket('udp4')
    raw = socket
    const answers: Buffer[] = []
    socket.on('message', (m) => { answers.push(m) })
    await new Promise<void>(resolve => { socket.bind(0, '127.0.0.1', resolve) })
    return {
      answers,
      send: async (bytes, to) => { await new Promise<void>((resolve, reject) => { socket.send(bytes, to.port, to.host, err => { if (err == null) resolve(); else reject(err) }) }) }
    }
  }

  it('with a key, a captured probe replayed (at once, and after the checker stopped) gets no answer and is counted', async () => {
    const endpoint = new LivenessEndpoint({}, { nodeId: 'node-a', key: KEY })
    const checker = new LivenessChecker({}, { intervalMs: 20, key: KEY })
    started.push(endpoint, checker)
    await endpoint.start()
    await checker.start()
    const probe = await captureTo(endpoint.address().port, () => { checker.add('node-a', endpoint.address(), { probeNow: true }) })
    await waitFor(() => checker.nodeStatus('node-a')?.state === 'alive', { timeoutMs: 10_000, what: 'node-a alive' })
    const { send, answers } = await attacker()
    await send(probe, endpoint.address())
    await waitFor(() => endpoint.stats().dropped.replay === 1, { timeoutMs: 5000, what: 'the replay to be dropped' })
    await checker.stop()
    // A probe the checker sent just before it stopped may still be on its way: every one it sent is answered first.
    const sent = checker.stats().probesSent
    await waitFor(() => endpoint.stats().replies === sent, { timeoutMs: 5000, what: `the endpoint to answer all ${sent} probes the checker sent` })
    const replies = endpoint.stats().replies
    await send(probe, endpoint.address())
    await waitFor(() => endpoint.stats().dropped.replay === 2, { timeoutMs: 5000, what: 'the later replay to be dropped' })
    expect(endpoint.stats().replies).to.equal(replies)
    expect(answers).to.deep.equal([])
  })

  it('with a key, an authentic probe sent 60 s ago gets no answer (stale)', async () => {
    const endpoint = new LivenessEndpoint({}, { nodeId: 'node-a', key: KEY })
    started.push(endpoint)
    await endpoint.start()
    const t = packetTemplate(KIND_PROBE, Buffer.from('node-a'))
    writeNonce(t, 1, 2)
    writeFreshness(t, 3, 4, Date.now() - 60_000)
    const { send, answers } = await attacker()
    await send(t.subarray(0, sealPacket(t, Buffer.from(KEY))), endpoint.address())
    await waitFor(() => endpoint.stats().dropped.stale === 1, { timeoutMs: 5000, what: 'the stale probe to be dropped' })
    expect(endpoint.stats().replies).to.equal(0)
    expect(answers).to.deep.equal([])
  })

  it('without a key, an endpoint answers any probe for its id, with a reply no larger than the probe', async () => {
    const endpoint = new LivenessEndpoint({}, { nodeId: 'node-a' })
    started.push(endpoint)
    await endpoint.start()
    const t = packetTemplate(KIND_PROBE, Buffer.from('node-a'))
    writeNonce(t, 1, 2)
    const probe = t.subarray(0, sealPacket(t, undefined))
    const { send, answers } = await attacker()
    await send(probe, endpoint.address())
    await waitFor(() => answers.length === 1, { timeoutMs: 5000, what: 'the answer' })
    expect(answers[0]?.length).to.be.at.most(probe.length)
  })
})
