import { createSocket, type Socket } from 'node:dgram'
import { randomBytes, randomInt } from 'node:crypto'
import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { KIND_PROBE, KIND_REPLY, LivenessChecker, LivenessEndpoint, packetTemplate, sealPacket, writeFreshness, writeNonce, type NodeAddress } from '../src/index.js'

const KEY = 'fuzz-key-0123456789abcdef'

/** A datagram that looks like a packet but is wrong in one way, or plain noise of any length. */
function badDatagram (i: number): Buffer {
  const kind = i % 2 === 0 ? KIND_PROBE : KIND_REPLY
  switch (i % 5) {
    case 0: return randomBytes([0, 1, 15, 64, 1025, 1400][randomInt(6)] as number)
    case 1: return randomBytes(randomInt(0, 2000))
    case 2: { // right layout, wrong mac
      const t = packetTemplate(kind, Buffer.from('node-a'))
      writeNonce(t, randomInt(1, 2 ** 31), 1)
      writeFreshness(t, 1, 1, Date.now())
      const len = sealPacket(t, Buffer.from('not-the-key-0123456789'))
      return t.subarray(0, len)
    }
    case 3: { // right key, wrong node id
      const t = packetTemplate(kind, Buffer.from('node-zz'))
      writeNonce(t, randomInt(1, 2 ** 31), 1)
      writeFreshness(t, 1, 1, Date.now() + i)
      return t.subarray(0, sealPacket(t, Buffer.from(KEY)))
    }
    default: { // a reply with the right key and id, a nonce nobody sent, from a stranger's port
      const t = packetTemplate(KIND_REPLY, Buffer.from('node-a'))
      writeNonce(t, randomInt(1, 2 ** 31), randomInt(1, 2 ** 31))
      writeFreshness(t, 1, 1, Date.now())
      return t.subarray(0, sealPacket(t, Buffer.from(KEY)))
    }
  }
}

describe('liveness under random datagrams', () => {
  let noise: Socket | undefined
  const started: Array<{ stop: () => Promise<void> }> = []
  afterEach(async () => {
    noise?.close()
    noise = undefined
    await Promise.all(started.splice(0).map(async s => { await s.stop() }))
  })

  it('random and forged datagrams change no verdict, crash nothing and are all counted as dropped', async () => {
    const endpoint = new LivenessEndpoint({}, { nodeId: 'node-a', key: KEY })
    const checker = new LivenessChecker({}, { intervalMs: 20, key: KEY })
    started.push(endpoint, checker)
    await endpoint.start()
    await checker.start()
    const verdicts: string[] = []
    checker.addEventListener('node:dead', e => { verdicts.push(`dead ${e.detail.nodeId}`) })
    checker.addEventListener('node:alive', e => { verdicts.push(`alive ${e.detail.nodeId}`) })
    checker.add('node-a', endpoint.address())
    await waitFor(() => verdicts.length === 1, { timeoutMs: 10_000, what: 'node-a alive' })

    noise = createSocket('udp4')
    const sock = noise
    await new Promise<void>(resolve => { sock.bind(0, '127.0.0.1', resolve) })
    const targets: NodeAddress[] = [endpoint.address(), checker.address()]
    const checkerDrops = (): number => Object.values(checker.stats().dropped).reduce((a, b) => a + b, 0)
    const endpointDrops = (): number => Object.values(endpoint.stats().dropped).reduce((a, b) => a + b, 0)
    let sent = 0
    for (let batch = 0; batch < 20; batch++) {
      for (let i = 0; i < 20; i++) {
        const target = targets[(batch + i) % 2] as NodeAddress
        await new Promise<void>((resolve, reject) => {
          sock.send(badDatagram(batch * 20 + i), target.port, target.host, err => { if (err == null) resolve(); else reject(err) })
        })
        sent++
      }
      // Pace the noise so the kernel's receive buffers never overflow and every datagram is counted.
      await waitFor(() => endpointDrops() + checkerDrops() >= sent, { timeoutMs: 10_000, what: `${sent} drops` })
    }
    expect(endpointDrops() + checkerDrops()).to.equal(sent)
    expect(endpoint.stats().dropped.auth + checker.stats().dropped.auth).to.be.greaterThan(0)
    expect(endpoint.stats().dropped['wrong-node']).to.be.greaterThan(0)
    expect(checker.stats().dropped.source).to.be.greaterThan(0)
    expect(verdicts).to.deep.equal(['alive node-a'])
    expect(checker.nodeStatus('node-a')?.state).to.equal('alive')
    const replies = endpoint.stats().replies
    await waitFor(() => endpoint.stats().replies > replies, { timeoutMs: 10_000, what: 'the endpoint still answering' })
  })
})
