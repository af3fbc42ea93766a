import { expect } from 'chai'
import { PacketNetwork, runSeeds, type Simulation } from '@clusterfunk/sim'
import { MemoryStorage, RaftCore, type Entry, type NodeId } from '../src/index.js'
import { decodeMessage, encodeMessage } from './helpers/codec.js'
import { bytes, configOf, text } from './helpers/network.js'

const TICK_MS = 10
const IDS = ['n1', 'n2', 'n3', 'n4', 'n5']

interface SimNode { core: RaftCore, storage: MemoryStorage, applied: Entry[] }

/** Five cores on virtual time over a lossy, duplicating, reordering packet network, messages encoded with raft.proto. */
function scenario (sim: Simulation): void {
  const net = new PacketNetwork(sim, { latency: { minMs: 1, maxMs: 8 }, lossRate: 0.05, duplicateRate: 0.02, reorderRate: 0.05 })
  const nodes = new Map<NodeId, SimNode>()
  const leaders = new Map<number, NodeId>()
  const sockets = new Map<NodeId, ReturnType<PacketNetwork['bind']>>()

  const drive = (id: NodeId): void => {
    const node = nodes.get(id) as SimNode
    while (node.core.hasReady()) {
      const rd = node.core.ready()
      node.storage.append(rd.entries)
      if (rd.hardState !== undefined) node.storage.setHardState(rd.hardState)
      for (const m of rd.messages) sockets.get(id)?.send(`${m.to}:7000`, encodeMessage(m))
      node.applied.push(...rd.committedEntries)
      node.core.advance()
    }
    const s = node.core.status()
    if (s.role === 'leader') {
      const known = leaders.get(s.term)
      if (known !== undefined && known !== id) throw new Error(`two leaders in term ${s.term}: ${known} and ${id}`)
      leaders.set(s.term, id)
    }
  }

  for (const id of IDS) {
    const storage = new MemoryStorage(configOf(IDS))
    nodes.set(id, { core: new RaftCore({ id, storage, random: sim.fork(`raft-${id}`) }), storage, applied: [] })
    const socket = net.bind(`${id}:7000`)
    sockets.set(id, socket)
    socket.onMessage((data) => {
      nodes.get(id)?.core.step(decodeMessage(data))
      drive(id)
    })
    const clock = sim.clockFor(id)
    const tick = (): void => {
      nodes.get(id)?.core.tick()
      drive(id)
      clock.setTimeout(tick, TICK_MS)
    }
    clock.setTimeout(tick, TICK_MS)
  }

  const leader = (): NodeId | undefined => IDS.find(id => nodes.get(id)?.core.status().role === 'leader')
  let proposals = 0
  const proposeSome = (count: number): void => {
    for (let i = 0; i < count; i++) {
      sim.runFor(20)
      const l = leader()
      if (l !== undefined && nodes.get(l)?.core.propose(bytes(`p${proposals}`)).ok === true) {
        proposals++
        drive(l)
      }
    }
  }

  expect(sim.runUntil(() => leader() !== undefined, { maxMs: 10_000 })).to.equal(true)
  proposeSome(20)
  const first = leader() as NodeId
  net.partition([first], IDS.filter(id => id !== first))
  sim.runFor(1_000)
  proposeSome(20)
  net.heal()
  proposeSome(10)
  const converged = (): boolean => {
    const seqs = IDS.map(id => (nodes.get(id) as SimNode).applied.filter(e => e.type === 'normal').map(text).join(','))
    return seqs.every(s => s === seqs[0]) && (seqs[0]?.length ?? 0) > 0
  }
  expect(sim.runUntil(converged, { maxMs: 20_000 })).to.equal(true)
  expect(leaders.size).to.be.at.least(2)
}

describe('Raft cores in the deterministic simulator', () => {
  it('elect one leader per term, survive a partitioned leader and apply the same sequence', async function () {
    await runSeeds({ name: 'raft over the packet network', test: this.test, seeds: 10, budgetMs: 4_000, scenario: ({ sim }) => scenario(sim) })
  })
})
