import { expect } from 'chai'
import { createSocket } from 'node:dgram'
import { connect } from 'node:net'
import { randomBytes, randomInt } from 'node:crypto'
import { waitFor } from '@clusterfunk/core'
import { totalDropped, type Swim } from '../src/index.js'
import { startCluster, stopAll } from './swim-helpers.js'

function view (n: Swim): string[] {
  return n.allMembers().map(m => `${m.id}:${m.status}`).sort()
}

async function randomStream (port: number, bytes: Buffer): Promise<void> {
  await new Promise<void>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.on('error', () => { resolve() })
    socket.on('close', () => { resolve() })
    socket.on('connect', () => { socket.end(bytes) })
  })
}

describe('Swim under random input', () => {
  let nodes: Swim[] = []
  afterEach(async () => {
    await stopAll(nodes)
    nodes = []
  })

  it('100 000 random datagrams change nothing in a member\'s view and are counted as dropped', async () => {
    nodes = await startCluster(3, 'f')
    const target = nodes[0] as Swim
    const before = view(target)
    const sender = createSocket('udp4')
    await new Promise<void>(resolve => { sender.bind(0, '127.0.0.1', () => { resolve() }) })
    const port = target.port()
    const total = 100_000
    const droppedAtStart = target.stats().dropped.udp
    const baseline = Object.values(droppedAtStart).reduce((a, b) => a + b, 0)
    try {
      for (let sent = 0; sent < total;) {
        const batch = Math.min(32, total - sent)
        for (let i = 0; i < batch; i++) {
          const length = i === 0 && sent % 1024 === 0 ? 0 : randomInt(0, 3000)
          sender.send(randomBytes(length), port, '127.0.0.1')
        }
        sent += batch
        // Let the receiver drain its socket buffer before the next batch, so the kernel drops as little as possible.
        await new Promise(resolve => setImmediate(resolve))
      }
      await waitFor(() => {
        const d = target.stats().dropped.udp
        return Object.values(d).reduce((a, b) => a + b, 0) - baseline >= total * 0.95
      }, { timeoutMs: 20_000, what: 'the datagrams to be counted' })
    } finally {
      sender.close()
    }
    const d = target.stats().dropped.udp
    expect(d.empty).to.be.greaterThan(0)
    expect(d.oversize + d.decode).to.be.greaterThan(0)
    expect(view(target)).to.deep.equal(before)
    expect(target.members()).to.have.length(3)
  })

  it('a few hundred random TCP streams are each dropped, counted and closed, and change nothing', async () => {
    nodes = await startCluster(3, 'g')
    const target = nodes[0] as Swim
    const before = view(target)
    const dropsBefore = totalDropped(target.stats())
    const streams = 300
    for (let i = 0; i < streams; i += 30) {
      await Promise.all(Array.from({ length: 30 }, async () => { await randomStream(target.port(), randomBytes(randomInt(1, 5000))) }))
    }
    await waitFor(() => totalDropped(target.stats()) - dropsBefore >= streams, { timeoutMs: 15_000, what: 'every stream to be counted' })
    const tcp = target.stats().dropped.tcp
    expect(tcp.oversize + tcp.truncated + tcp.decode + tcp.empty + tcp.timeout).to.be.at.least(streams)
    expect(view(target)).to.deep.equal(before)
  })
})
