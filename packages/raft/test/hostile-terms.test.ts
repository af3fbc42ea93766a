import { expect } from 'chai'
import { setCommand } from './helpers/kv-fsm.js'
import { GrpcCluster, RawRaftClient } from './helpers/grpc-cluster.js'

describe('hostile terms on real sockets', () => {
  let cluster: GrpcCluster
  const clients: RawRaftClient[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close()
    await cluster.stopAll()
  })

  it('a heartbeat with term 2^53-1 sent to every node leaves the cluster able to elect and commit', async () => {
    cluster = new GrpcCluster()
    await cluster.bootstrap(['a', 'b', 'c'])
    const leader = await cluster.leader()
    await cluster.commitWrite(setCommand('k', 'before'))
    for (const n of cluster.nodes.values()) {
      const c = new RawRaftClient(n.transport.address)
      clients.push(c)
      await c.deliver({ type: 'heartbeat', from: leader.id, to: n.id, term: Number.MAX_SAFE_INTEGER, commit: 0, readSeq: 0 })
      await c.deliver({ type: 'heartbeat', from: 'intruder', to: n.id, term: 2 ** 52, commit: 0, readSeq: 0 })
    }
    for (const n of cluster.nodes.values()) {
      expect(n.raft.stats().term).to.be.below(2 ** 20)
      expect(n.raft.stats().droppedMessages.implausibleTerm).to.equal(1)
      expect(n.transport.rejected.decode).to.equal(1)
    }
    await cluster.commitWrite(setCommand('k', 'after'))
    // Also after every node restarted from its stores.
    for (const n of [...cluster.nodes.values()]) {
      await n.raft.stop()
      await cluster.add(n.id, n)
    }
    await cluster.commitWrite(setCommand('k', 'restarted'))
    for (const n of cluster.nodes.values()) expect(n.raft.stats().term).to.be.below(2 ** 20)
  })
})
