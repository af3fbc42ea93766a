import { expect } from 'chai'
import { MemoryMetrics, waitFor } from '@clusterfunk/core'
import { loadType } from '@clusterfunk/proto'
import { createSocket } from 'node:dgram'
import { parseAddress, type Swim } from '../src/index.js'
import { startCluster, stopAll } from './swim-helpers.js'

const PacketType = loadType('swim.proto', 'clusterfunk.swim.Packet')

/** A forged, unsealed `dead` datagram about `node`, encoded by the schema alone (no codec checks). */
function forgedDead (node: string, incarnation: number): Uint8Array {
  return PacketType.encode(PacketType.fromObject({ version: 1, messages: [{ dead: { node, incarnation, from: 'm' } }] })).finish()
}

async function sendTo (nodes: readonly Swim[], bytes: Uint8Array): Promise<void> {
  const socket = createSocket('udp4')
  try {
    for (const n of nodes) {
      const to = parseAddress(n.address())
      if (to === undefined) throw new Error('bad address')
      await new Promise<void>((resolve, reject) => { socket.send(bytes, to.port, to.host, (err) => { if (err != null) reject(err); else resolve() }) })
    }
  } finally {
    socket.close()
  }
}

describe('Swim under forged incarnations', function () {
  this.timeout(60_000)
  let nodes: Swim[] = []
  afterEach(async () => {
    await stopAll(nodes)
    nodes = []
  })

  function watchFailures (): string[] {
    const failed: string[] = []
    for (const n of nodes) n.addEventListener('member:failed', (e) => { failed.push(`${n.id} saw ${e.detail.id} fail`) })
    return failed
  }

  function victimAliveEverywhere (): boolean {
    return nodes.every(n => n.member('h2')?.status === 'alive')
  }

  it('a dead datagram at incarnation 0xffffffff is dropped as undecodable and evicts no one', async () => {
    const metrics = [new MemoryMetrics(), new MemoryMetrics(), new MemoryMetrics()]
    nodes = await startCluster(3, 'h', {}, i => metrics[i] as MemoryMetrics)
    const failed = watchFailures()
    const bytes = forgedDead('h2', 0xffff_ffff)
    expect(bytes.length).to.be.at.most(20)
    await sendTo(nodes, bytes)
    const dropped = (m: MemoryMetrics): boolean => m.get('clusterfunk_swim_dropped_packets_total', { transport: 'udp', reason: 'decode' }) >= 1
    // Handled: dropped by every node (fixed), or it evicted the victim somewhere (the defect).
    await waitFor(() => metrics.every(dropped) || failed.length > 0, { timeoutMs: 5000, what: 'the forged datagram to be handled' })
    // The victim stays alive, or comes back within a suspicion bound.
    await waitFor(victimAliveEverywhere, { timeoutMs: 10_000, what: 'h2 alive in every view' })
    expect(failed).to.deep.equal([])
    expect(metrics.every(dropped)).to.equal(true)
    for (const n of nodes) expect(n.member('h2')?.incarnation).to.be.below(1024)
  })

  it('a dead datagram at the top of the range (0xfffffffe) is dropped as implausible, counted, and evicts no one', async () => {
    const metrics = [new MemoryMetrics(), new MemoryMetrics(), new MemoryMetrics()]
    nodes = await startCluster(3, 'h', {}, i => metrics[i] as MemoryMetrics)
    const failed = watchFailures()
    await sendTo(nodes, forgedDead('h2', 0xffff_fffe))
    const dropped = (m: MemoryMetrics): boolean => m.get('clusterfunk_swim_messages_dropped_total', { reason: 'implausible-incarnation' }) >= 1
    await waitFor(() => metrics.every(dropped) || failed.length > 0, { timeoutMs: 5000, what: 'the forged claim to be handled' })
    await waitFor(victimAliveEverywhere, { timeoutMs: 10_000, what: 'h2 alive in every view' })
    expect(failed).to.deep.equal([])
    expect(metrics.every(dropped)).to.equal(true)
    for (const n of nodes) expect(n.member('h2')?.incarnation).to.be.below(1024)
    // Gossip goes on: a tag change still reaches everyone.
    nodes[2]?.setTags({ after: 'forgery' })
    await waitFor(() => nodes.every(n => n.member('h2')?.tags.get('after') === 'forgery'), { timeoutMs: 10_000, what: 'the tag to spread' })
  })
})
