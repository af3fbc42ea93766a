import { expect } from 'chai'
import { InvalidConfigError } from '@clusterfunk/core'
import { ShardCoordinator, type ClusterCommand } from '../../src/index.js'

const weights = (...ids: string[]): Map<string, number> => new Map(ids.map(id => [id, 1]))

/** A leader `a` with candidates a, b, c, in contact, having proposed version 1. */
function leaderWithProposal (): { leader: ShardCoordinator, proposal: ClusterCommand & { type: 'propose' } } {
  const leader = new ShardCoordinator({ nodeId: 'a', shardCount: 12 })
  leader.setCandidates(0, weights('a', 'b', 'c'))
  leader.becomeLeader(0)
  const [proposal] = leader.drain().append
  if (proposal?.type !== 'propose') throw new Error('expected a proposal')
  return { leader, proposal }
}

describe('ShardCoordinator', () => {
  it('a new leader proposes a map of the candidates under version 1', () => {
    const { proposal } = leaderWithProposal()
    expect(proposal.version).to.equal(1)
    expect(proposal.map.nodes().map(n => [n.id, n.shards])).to.deep.equal([['a', 4], ['b', 4], ['c', 4]])
  })

  it('the leader commits only after every node in the map acked, counting its own ack when it applies the proposal', () => {
    const { leader, proposal } = leaderWithProposal()
    leader.apply(1, proposal)
    leader.receiveAck(2, 'b', 1)
    expect(leader.drain().append).to.deep.equal([])
    leader.receiveAck(3, 'c', 1)
    expect(leader.drain().append).to.deep.equal([{ type: 'commit', version: 1 }])
  })

  it('a follower is Resharding from the proposal, owes its ack, and is Operational with its gained shards on the commit', () => {
    const { proposal } = leaderWithProposal()
    const b = new ShardCoordinator({ nodeId: 'b', shardCount: 12 })
    b.setLeaderContact(0, true)
    b.apply(1, proposal)
    let out = b.drain()
    expect(b.state).to.equal('Resharding')
    expect(out.states).to.deep.equal(['Resharding'])
    expect(out.acks).to.deep.equal([1])
    b.apply(2, { type: 'commit', version: 1 })
    out = b.drain()
    expect(b.state).to.equal('Operational')
    expect(out.states).to.deep.equal(['Operational'])
    expect(out.shards).to.deep.equal([{ version: 1, gained: proposal.map.shardsOf('b'), lost: [], replicaGained: [], replicaLost: [] }])
    expect(b.committedMap?.version).to.equal(1)
  })

  it('acks of another version or from a node outside the map are counted and ignored', () => {
    const { leader, proposal } = leaderWithProposal()
    leader.apply(1, proposal)
    leader.receiveAck(2, 'b', 7)
    leader.receiveAck(2, 'z', 1)
    leader.receiveAck(2, 'b', 1)
    leader.receiveAck(2, 'b', 1)
    expect(leader.counters.staleAcks).to.equal(2)
    expect(leader.drain().append).to.deep.equal([])
  })

  it('a node silent past the ack timeout is left out and the map is proposed again without it', () => {
    const { leader, proposal } = leaderWithProposal()
    leader.apply(1, proposal)
    leader.receiveAck(2, 'b', 1)
    expect(leader.drain().nextTickAt).to.equal(500)
    leader.tick(499)
    expect(leader.drain().append).to.deep.equal([])
    leader.tick(500)
    const [again] = leader.drain().append
    expect(again?.type).to.equal('propose')
    expect(again?.type === 'propose' && again.version).to.equal(2)
    expect(again?.type === 'propose' && again.map.nodes().map(n => n.id)).to.deep.equal(['a', 'b'])
    expect(leader.counters.ackTimeouts).to.equal(1)
  })

  it('a leader that hears no ack at all, not even its own, asks once to step down', () => {
    const { leader } = leaderWithProposal()
    leader.tick(500)
    expect(leader.drain().stepDown).to.equal(true)
    leader.tick(1000)
    expect(leader.drain().stepDown).to.equal(false)
  })

  it('a node left out comes back in when it is seen alive again', () => {
    const { leader, proposal } = leaderWithProposal()
    leader.apply(1, proposal)
    leader.receiveAck(2, 'b', 1)
    leader.tick(500)
    const [without] = leader.drain().append
    leader.apply(501, without as ClusterCommand)
    leader.receiveAck(502, 'b', 2)
    leader.drain()
    leader.apply(503, { type: 'commit', version: 2 })
    leader.nodeAlive(600, 'c')
    const [withC] = leader.drain().append
    expect(withC?.type === 'propose' && withC.map.nodes().map(n => n.id)).to.deep.equal(['a', 'b', 'c'])
  })

  it('a node left out for a missed ack is proposed again after 2 s, and the wait doubles while it keeps missing', () => {
    const { leader, proposal } = leaderWithProposal()
    leader.apply(1, proposal)
    leader.receiveAck(2, 'b', 1)
    leader.tick(500) // c missed version 1: left out until 2 500
    const [without] = leader.drain().append
    leader.apply(501, without as ClusterCommand)
    leader.receiveAck(502, 'b', 2)
    leader.apply(503, { type: 'commit', version: 2 })
    expect(leader.drain().nextTickAt).to.equal(2_500)
    leader.tick(2_499)
    expect(leader.drain().append).to.deep.equal([])
    leader.tick(2_500)
    const [retry] = leader.drain().append
    expect(retry?.type === 'propose' && retry.map.nodes().map(n => n.id)).to.deep.equal(['a', 'b', 'c'])
    leader.apply(2_501, retry as ClusterCommand)
    leader.receiveAck(2_502, 'b', 3)
    leader.tick(3_000) // c missed again: this time left out for 4 s
    const [withoutAgain] = leader.drain().append
    leader.apply(3_001, withoutAgain as ClusterCommand)
    leader.receiveAck(3_002, 'b', 4)
    leader.apply(3_003, { type: 'commit', version: 4 })
    expect(leader.drain().nextTickAt).to.equal(7_000)
  })

  it('a node that acks starts from the shortest wait again after a later miss', () => {
    const { leader, proposal } = leaderWithProposal()
    leader.apply(1, proposal)
    leader.receiveAck(2, 'b', 1)
    leader.tick(500)
    const [without] = leader.drain().append
    leader.apply(501, without as ClusterCommand)
    leader.receiveAck(502, 'b', 2)
    leader.apply(503, { type: 'commit', version: 2 })
    leader.tick(2_500)
    const [retry] = leader.drain().append
    leader.apply(2_501, retry as ClusterCommand)
    leader.receiveAck(2_502, 'b', 3)
    leader.receiveAck(2_503, 'c', 3)
    leader.apply(2_504, { type: 'commit', version: 3 })
    leader.setCandidates(2_600, weights('a', 'b', 'c', 'd'))
    const [withD] = leader.drain().append
    leader.apply(2_601, withD as ClusterCommand)
    leader.receiveAck(2_602, 'b', 4)
    leader.receiveAck(2_602, 'd', 4)
    leader.tick(3_100) // c missed version 4, after acking version 3: a 2 s wait again
    const [withoutC] = leader.drain().append
    leader.apply(3_101, withoutC as ClusterCommand)
    leader.receiveAck(3_102, 'b', 5)
    leader.receiveAck(3_102, 'd', 5)
    leader.apply(3_103, { type: 'commit', version: 5 })
    expect(leader.drain().nextTickAt).to.equal(5_100)
  })

  it('a late ack from a node left out lets it back in at once', () => {
    const { leader, proposal } = leaderWithProposal()
    leader.apply(1, proposal)
    leader.receiveAck(2, 'b', 1)
    leader.tick(500)
    const [without] = leader.drain().append
    leader.apply(501, without as ClusterCommand)
    leader.receiveAck(502, 'b', 2)
    leader.apply(503, { type: 'commit', version: 2 })
    leader.drain()
    leader.receiveAck(600, 'c', 1)
    const [withC] = leader.drain().append
    expect(withC?.type === 'propose' && withC.map.nodes().map(n => n.id)).to.deep.equal(['a', 'b', 'c'])
  })

  it('a change of candidates during an open round supersedes it with a higher version', () => {
    const { leader, proposal } = leaderWithProposal()
    leader.apply(1, proposal)
    leader.setCandidates(2, weights('a', 'b', 'c', 'd'))
    const [next] = leader.drain().append
    expect(next?.type === 'propose' && next.version).to.equal(2)
    leader.receiveAck(3, 'b', 1)
    expect(leader.counters.staleAcks).to.equal(1)
  })

  it('proposes nothing while the candidates match the committed map', () => {
    const { leader, proposal } = leaderWithProposal()
    leader.apply(1, proposal)
    leader.receiveAck(2, 'b', 1)
    leader.receiveAck(2, 'c', 1)
    leader.apply(3, { type: 'commit', version: 1 })
    leader.drain()
    leader.setCandidates(4, weights('c', 'b', 'a'))
    expect(leader.drain().append).to.deep.equal([])
  })

  it('a new leader supersedes its predecessor’s open proposal with a higher version, computed from the committed map', () => {
    const { proposal } = leaderWithProposal()
    const b = new ShardCoordinator({ nodeId: 'b', shardCount: 12 })
    b.apply(1, proposal)
    b.setCandidates(2, weights('a', 'b', 'c'))
    b.becomeLeader(3)
    const [mine] = b.drain().append
    expect(mine?.type === 'propose' && mine.version).to.equal(2)
    b.receiveAck(4, 'b', 1)
    expect(b.counters.staleAcks).to.equal(1)
  })

  it('without leader contact a node is Voting and serves nothing; when contact returns it acks the open proposal again', () => {
    const { proposal } = leaderWithProposal()
    const c = new ShardCoordinator({ nodeId: 'c', shardCount: 12 })
    c.setLeaderContact(0, true)
    c.apply(1, proposal)
    expect(c.drain().acks).to.deep.equal([1])
    c.setLeaderContact(2, false)
    expect(c.state).to.equal('Voting')
    c.setLeaderContact(3, true)
    expect(c.drain().acks).to.deep.equal([1])
    expect(c.state).to.equal('Resharding')
  })

  it('a node outside the committed map is Joining', () => {
    const { proposal } = leaderWithProposal()
    const d = new ShardCoordinator({ nodeId: 'd', shardCount: 12 })
    d.setLeaderContact(0, true)
    d.apply(1, proposal)
    expect(d.drain().acks).to.deep.equal([])
    d.apply(2, { type: 'commit', version: 1 })
    expect(d.state).to.equal('Joining')
  })

  it('a commit of anything but the open proposal, and a proposal not above every earlier version, change nothing', () => {
    const { proposal } = leaderWithProposal()
    const b = new ShardCoordinator({ nodeId: 'b', shardCount: 12 })
    b.apply(1, { type: 'commit', version: 1 })
    b.apply(2, proposal)
    b.apply(3, proposal)
    b.apply(4, { type: 'commit', version: 9 })
    expect(b.counters.staleCommits).to.equal(2)
    expect(b.counters.staleProposals).to.equal(1)
    expect(b.pendingMap?.version).to.equal(1)
    expect(b.committedMap).to.equal(undefined)
  })

  it('restoring a snapshot gives the same state as applying the log, and owes the ack of an open proposal', () => {
    const { proposal } = leaderWithProposal()
    const b = new ShardCoordinator({ nodeId: 'b', shardCount: 12 })
    b.setLeaderContact(0, true)
    b.apply(1, proposal)
    b.apply(2, { type: 'commit', version: 1 })
    const next = proposal.map.update(weights('a', 'b'))
    b.apply(3, { type: 'propose', version: 2, map: next })
    const snap = b.snapshot()
    const fresh = new ShardCoordinator({ nodeId: 'b', shardCount: 12 })
    fresh.setLeaderContact(4, true)
    fresh.restore(5, snap)
    const out = fresh.drain()
    expect(fresh.committedMap?.version).to.equal(1)
    expect(fresh.pendingMap?.version).to.equal(2)
    expect(fresh.state).to.equal('Resharding')
    expect(out.acks).to.deep.equal([2])
    // Resharding serves nothing: no map is reported until the commit.
    expect(out.shards).to.deep.equal([])
    fresh.apply(6, { type: 'commit', version: 2 })
    expect(fresh.drain().shards).to.deep.equal([{ version: 2, gained: next.shardsOf('b'), lost: [], replicaGained: [], replicaLost: [] }])
  })

  it('rejects bad options with the option named', () => {
    expect(() => new ShardCoordinator({ nodeId: '' })).to.throw(InvalidConfigError, 'nodeId')
    expect(() => new ShardCoordinator({ nodeId: 'a', shardCount: 0 })).to.throw(InvalidConfigError, 'shardCount')
    expect(() => new ShardCoordinator({ nodeId: 'a', ackTimeoutMs: 0 })).to.throw(InvalidConfigError, 'ackTimeoutMs')
    expect(() => new ShardCoordinator({ nodeId: 'a', replicationFactor: 0 })).to.throw(InvalidConfigError, 'replicationFactor')
    expect(() => new ShardCoordinator({ nodeId: 'a', replicationFactor: 9 })).to.throw(InvalidConfigError, 'replicationFactor')
  })
})
